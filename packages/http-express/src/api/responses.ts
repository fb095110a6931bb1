/**
 * What the API answers, each declared once as a JSON Schema (TypeBox): `Static<>` gives the types the
 * server builds and the dashboard reads (`import type` only: nothing of this reaches the browser bundle),
 * and the OpenAPI document is assembled from the same objects. Nothing here touches the DOM or Node.
 */
import Type, { type Static } from 'typebox';

const venueCount = Type.Integer({ minimum: 1, description: 'Distinct RSVPs whose latest message says yes here.' });
const longitude = Type.Number({ minimum: -180, maximum: 180 });
const latitude = Type.Number({ minimum: -90, maximum: 90 });

/**
 * A pair as JSON Schema 2020-12 writes it (`prefixItems`: OpenAPI 3.1's dialect): TypeBox's own `Tuple`
 * writes the draft-07 form (`items: [...]`), which a 2020-12 validator refuses.
 */
const pair = (first: object, second: object, description: string) =>
  Type.Unsafe<readonly [number, number]>({
    type: 'array',
    description,
    prefixItems: [first, second],
    minItems: 2,
    maxItems: 2,
  });

/** `GET /api/data`: the original system's row, keys in its (alphabetical) order, coordinates as strings. */
export const OriginalRow = Type.Immutable(
  Type.Object(
    {
      count: venueCount,
      group_city: Type.String(),
      lat: Type.String({ description: 'Latitude as text, e.g. "24.299173" or "0".' }),
      lon: Type.String({ description: 'Longitude as text.' }),
      venue_name: Type.String(),
    },
    { additionalProperties: false },
  ),
);
export type OriginalRow = Static<typeof OriginalRow>;

/** A venue as a GeoJSON point (RFC 7946). */
export const VenueFeature = Type.Immutable(
  Type.Object(
    {
      type: Type.Literal('Feature'),
      geometry: Type.Object(
        {
          type: Type.Literal('Point'),
          coordinates: pair(longitude, latitude, '[longitude, latitude], WGS 84.'),
        },
        { additionalProperties: false },
      ),
      properties: Type.Object(
        { venue_name: Type.String(), group_city: Type.String(), count: Type.Integer({ minimum: 1 }) },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
);
export type VenueFeature = Static<typeof VenueFeature>;

/** `GET /api/venues.geojson`: an RFC 7946 FeatureCollection, with how many rows had no coordinates. */
export const VenueFeatureCollection = Type.Immutable(
  Type.Object(
    {
      type: Type.Literal('FeatureCollection'),
      without_coordinates: Type.Integer({
        minimum: 0,
        description: 'Venues (of those asked for) left out for having no coordinates.',
      }),
      features: Type.Array(VenueFeature),
    },
    { additionalProperties: false },
  ),
);
export type VenueFeatureCollection = Static<typeof VenueFeatureCollection>;

/** One city's RSVPs in the current window of a family and in the window before it. */
export const CityChange = Type.Immutable(
  Type.Object(
    {
      city: Type.String({ description: 'The group_city of the venues.' }),
      current: Type.Integer({ minimum: 0 }),
      previous: Type.Integer({ minimum: 0 }),
      change: Type.Integer({ description: 'current - previous: positive when the city is rising.' }),
    },
    { additionalProperties: false },
  ),
);
export type CityChange = Static<typeof CityChange>;

/** One window of `/api/cities`: its bounds and the RSVPs in it, all cities. */
export const WindowSpan = Type.Immutable(
  Type.Object(
    {
      start: Type.String({ format: 'date-time' }),
      end: Type.String({ format: 'date-time', description: 'Exclusive.' }),
      total: Type.Integer({ minimum: 0, description: 'RSVPs in the window, all cities.' }),
    },
    { additionalProperties: false },
  ),
);
export type WindowSpan = Static<typeof WindowSpan>;

/**
 * `GET /api/cities`. `window` is any text here; the OpenAPI document narrows it to the configured
 * families, which only the running server knows.
 */
export const CityChanges = Type.Immutable(
  Type.Object(
    {
      window: Type.String({ description: 'The window family, by its size.' }),
      current: Type.Union([WindowSpan, Type.Null()]),
      previous: Type.Union([WindowSpan, Type.Null()]),
      cities: Type.Array(CityChange),
    },
    { additionalProperties: false },
  ),
);
export type CityChanges = Static<typeof CityChanges>;

export const LiveVenue = Type.Immutable(
  Type.Object(
    {
      venue_id: Type.Integer(),
      venue_name: Type.String(),
      group_city: Type.String(),
      count: Type.Integer({ minimum: 1 }),
    },
    { additionalProperties: false },
  ),
);
export type LiveVenue = Static<typeof LiveVenue>;

export const LivePoint = Type.Immutable(
  Type.Object(
    {
      lon: longitude,
      lat: latitude,
      count: Type.Integer({ minimum: 1 }),
      venue_name: Type.String(),
      group_city: Type.String(),
    },
    { additionalProperties: false },
  ),
);
export type LivePoint = Static<typeof LivePoint>;

/** What `GET /api/live` sends, one JSON object per poll: built by the server, drawn by the dashboard. */
export const LiveSnapshot = Type.Immutable(
  Type.Object(
    {
      time: Type.Integer({ description: 'When the server polled the counts, ms since the epoch (server clock).' }),
      interval_ms: Type.Number({ exclusiveMinimum: 0, description: 'How often the server polls, in ms.' }),
      history_ms: Type.Number({ exclusiveMinimum: 0, description: 'How far back `history` reaches, in ms.' }),
      total: Type.Integer({
        description: "Distinct RSVPs counted so far: the sum of every venue's all-time count.",
      }),
      venues: Type.Integer({ minimum: 0, description: 'Venues with a positive count.' }),
      top: Type.Array(LiveVenue, { description: 'The top venues by all-time count, most RSVPs first.' }),
      history: Type.Array(pair(Type.Integer(), Type.Integer(), '[time, total] at one poll.'), {
        description: '`[time, total]` at each poll of the last `history_ms`, oldest first.',
      }),
      points: Type.Array(LivePoint, {
        description: 'The venues with the most RSVPs among those with coordinates, most first.',
      }),
      without_coordinates: Type.Integer({
        minimum: 0,
        description: 'Venues with a count but without coordinates (not in `points`).',
      }),
    },
    { additionalProperties: false, description: 'The `data:` of each `message` event of /api/live.' },
  ),
);
export type LiveSnapshot = Static<typeof LiveSnapshot>;

/** The `unavailable` event `GET /api/live` sends instead of a snapshot while the store fails. */
export const LiveUnavailable = Type.Immutable(Type.Object({ message: Type.String() }, { additionalProperties: false }));
export type LiveUnavailable = Static<typeof LiveUnavailable>;

/** `GET /healthz`. */
export const Healthy = Type.Immutable(Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false }));
export type Healthy = Static<typeof Healthy>;

/** `GET /readyz` while the store answers. */
export const Ready = Type.Immutable(Type.Object({ status: Type.Literal('ready') }, { additionalProperties: false }));
export type Ready = Static<typeof Ready>;
