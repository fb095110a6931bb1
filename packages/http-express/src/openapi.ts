import type { WindowSpec } from '@rsvp/core';
import type { TObject } from 'typebox';
import { ApiErrorBody } from './api/errors.js';
import { citiesQuery, pageQuery, type QueryOptions, requiredOf, venueQuery } from './api/requests.js';
import {
  CityChanges,
  Healthy,
  LiveSnapshot,
  LiveUnavailable,
  OriginalRow,
  Ready,
  VenueFeature,
  VenueFeatureCollection,
  WindowSpan,
} from './api/responses.js';

export interface OpenApiOptions {
  readonly windows: readonly WindowSpec[];
  readonly maxLimit: number;
  readonly pageRows: number;
}

/** The named schemas of the document: the declarations of api/, the window names narrowed to the configured ones. */
function components(options: QueryOptions) {
  return {
    VenueCount: OriginalRow,
    VenueFeatureCollection,
    VenueFeature,
    CityChanges: {
      ...CityChanges,
      properties: {
        ...CityChanges.properties,
        window: { ...CityChanges.properties.window, enum: [...options.windowNames] },
      },
    },
    WindowSpan,
    LiveSnapshot,
    LiveUnavailable,
    Error: ApiErrorBody,
  };
}

type ComponentName = keyof ReturnType<typeof components>;

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });

const body = (description: string, type: string, schema: object) => ({ description, content: { [type]: { schema } } });
const json = (description: string, schema: object) => body(description, 'application/json', schema);
const text = (description: string, type: string) => body(description, type, { type: 'string' });
const errorResponse = (description: string) => json(description, ref('Error'));

/** A query schema's properties as OpenAPI parameters: the description beside the schema, not in it. */
function parametersOf(query: TObject) {
  return Object.entries(query.properties).map(([name, property]) => {
    const { description, ...schema } = property as { description?: string };
    return {
      name,
      in: 'query',
      required: requiredOf(query).includes(name),
      ...(description !== undefined && { description }),
      schema,
    };
  });
}

/** The OpenAPI 3.1 description of the API as configured: the window names and limits are the real ones. */
export function openApiDocument(options: OpenApiOptions) {
  const query: QueryOptions = { windowNames: options.windows.map((w) => w.name), maxLimit: options.maxLimit };
  const storeFailed = errorResponse('The store failed; details are in the server log only.');
  return {
    openapi: '3.1.0',
    info: {
      title: '@rsvp API',
      version: '0.1.0',
      description:
        'Distinct Meetup RSVPs per venue: an RSVP counts once, at its venue, while its latest message says yes.',
    },
    paths: {
      '/api/data': {
        get: {
          summary: "Venues with their counts, most RSVPs first, in the original system's shape",
          parameters: parametersOf(venueQuery(query)),
          responses: {
            '200': json('Venues ordered by count, then venue name, then venue id.', {
              type: 'array',
              items: ref('VenueCount'),
            }),
            '400': errorResponse('A parameter is out of bounds.'),
            '500': storeFailed,
          },
        },
      },
      '/api/venues.geojson': {
        get: {
          summary: 'The venues with their counts as a GeoJSON FeatureCollection (RFC 7946), for maps',
          description:
            'The same venues as /api/data with the same parameters, as points [lon, lat] (numbers). Venues ' +
            'without coordinates (lat and lon both 0) are left out and counted in `without_coordinates`.',
          parameters: parametersOf(venueQuery(query)),
          responses: {
            '200': body('Points in the order of /api/data.', 'application/geo+json', ref('VenueFeatureCollection')),
            '400': errorResponse('A parameter is out of bounds.'),
            '500': storeFailed,
          },
        },
      },
      '/api/cities': {
        get: {
          summary: 'RSVPs per city in the current window of a family and the window before it, rising first',
          description:
            'Cities by `group_city`, ordered by change (descending), then current RSVPs (descending), then name. ' +
            '`current` and `previous` are null before the first RSVP.',
          parameters: parametersOf(citiesQuery(query)),
          responses: {
            '200': json('The two windows and the cities.', ref('CityChanges')),
            '400': errorResponse('The window is missing or unknown, or a parameter is out of bounds.'),
            '500': storeFailed,
          },
        },
      },
      '/api/live': {
        get: {
          summary: 'Server-Sent Events: a snapshot of the all-time counts at every poll (about once a second)',
          description:
            'Each `message` event carries one LiveSnapshot as JSON (top venues, the totals of the last minutes, ' +
            'venue points); an `unavailable` event carries a LiveUnavailable while the store fails. The server ' +
            'polls once for all listeners, and only while someone listens.',
          responses: {
            '200': text(
              'An endless text/event-stream; see components.schemas.LiveSnapshot for each `data:`.',
              'text/event-stream',
            ),
            '503': errorResponse('The server is shutting down.'),
          },
        },
      },
      '/': {
        get: {
          summary:
            'The live dashboard: top venues, counted RSVPs per second, venues on a world map, a window picker, the rising cities',
          responses: { '200': text('The page.', 'text/html') },
        },
      },
      '/dashboard.js': {
        get: {
          summary: "The dashboard's script",
          responses: {
            '200': text('JavaScript, bundled from TypeScript.', 'text/javascript'),
            '500': errorResponse('The script could not be bundled.'),
          },
        },
      },
      '/dashboard.css': {
        get: {
          summary: "The dashboard's style sheet",
          responses: { '200': text('CSS.', 'text/css') },
        },
      },
      '/api/top_venues': {
        get: {
          summary: 'An HTML page with the table of the top venues',
          parameters: parametersOf(pageQuery({ ...query, pageRows: options.pageRows })),
          responses: {
            '200': text('The page.', 'text/html'),
            '400': errorResponse('A parameter is out of bounds.'),
            '500': errorResponse('The store failed.'),
          },
        },
      },
      '/healthz': {
        get: {
          summary: 'Liveness: the process answers',
          responses: { '200': json('Alive.', Healthy) },
        },
      },
      '/readyz': {
        get: {
          summary: 'Readiness: the count store answers',
          responses: {
            '200': json('Ready.', Ready),
            '503': errorResponse('The store does not answer.'),
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics, when the server exports them (rsvp serve and rsvp all do)',
          responses: { '200': text('Prometheus text format.', 'text/plain') },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This description',
          responses: { '200': json('OpenAPI 3.1.', { type: 'object' }) },
        },
      },
    },
    components: { schemas: components(query) },
  };
}
