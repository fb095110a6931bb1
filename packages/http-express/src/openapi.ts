import type { WindowSpec } from '@rsvp/core';

export interface OpenApiOptions {
  readonly windows: readonly WindowSpec[];
  readonly maxLimit: number;
  readonly pageRows: number;
}

const errorBody = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      properties: {
        code: { type: 'string', enum: ['invalid_parameter', 'not_found', 'not_ready', 'internal'] },
        message: { type: 'string' },
        parameter: { type: 'string' },
      },
    },
  },
} as const;

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** The OpenAPI 3.1 description of the API as configured: the window names and limits are the real ones. */
export function openApiDocument(options: OpenApiOptions) {
  const limit = (fallback: string) => ({
    name: 'limit',
    in: 'query',
    required: false,
    description: `At most this many rows (${fallback} when absent).`,
    schema: { type: 'integer', minimum: 1, maximum: options.maxLimit },
  });
  const window = {
    name: 'window',
    in: 'query',
    required: false,
    description: 'The current window of a configured family, by its size; all-time counts when absent.',
    schema: { type: 'string', enum: options.windows.map((w) => w.name) },
  };
  const requiredWindow = {
    ...window,
    required: true,
    description:
      'A configured window family, by its size: its current window (the one /api/data?window= shows) is ' +
      'compared with the window of the same family that ended where it starts.',
  };
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
          parameters: [limit('every venue'), window],
          responses: {
            '200': {
              description: 'Venues ordered by count, then venue name, then venue id.',
              content: {
                'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/VenueCount' } } },
              },
            },
            '400': errorResponse('A parameter is out of bounds.'),
            '500': errorResponse('The store failed; details are in the server log only.'),
          },
        },
      },
      '/api/venues.geojson': {
        get: {
          summary: 'The venues with their counts as a GeoJSON FeatureCollection (RFC 7946), for maps',
          description:
            'The same venues as /api/data with the same parameters, as points [lon, lat] (numbers). Venues ' +
            'without coordinates (lat and lon both 0) are left out and counted in `without_coordinates`.',
          parameters: [limit('every venue'), window],
          responses: {
            '200': {
              description: 'Points in the order of /api/data.',
              content: {
                'application/geo+json': { schema: { $ref: '#/components/schemas/VenueFeatureCollection' } },
              },
            },
            '400': errorResponse('A parameter is out of bounds.'),
            '500': errorResponse('The store failed; details are in the server log only.'),
          },
        },
      },
      '/api/cities': {
        get: {
          summary: 'RSVPs per city in the current window of a family and the window before it, rising first',
          description:
            'Cities by `group_city`, ordered by change (descending), then current RSVPs (descending), then name. ' +
            '`current` and `previous` are null before the first RSVP.',
          parameters: [requiredWindow, limit('every city')],
          responses: {
            '200': {
              description: 'The two windows and the cities.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/CityChanges' } } },
            },
            '400': errorResponse('The window is missing or unknown, or a parameter is out of bounds.'),
            '500': errorResponse('The store failed; details are in the server log only.'),
          },
        },
      },
      '/api/live': {
        get: {
          summary: 'Server-Sent Events: a snapshot of the all-time counts at every poll (about once a second)',
          description:
            'Each `message` event carries one LiveSnapshot as JSON (top venues, the totals of the last minutes, ' +
            'venue points); an `unavailable` event carries {"message"} while the store fails. The server polls ' +
            'once for all listeners, and only while someone listens.',
          responses: {
            '200': {
              description: 'An endless text/event-stream; see components.schemas.LiveSnapshot for each `data:`.',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            '503': errorResponse('The server is shutting down.'),
          },
        },
      },
      '/': {
        get: {
          summary: 'The live dashboard: top venues, counted RSVPs per second, venues by latitude and longitude',
          responses: {
            '200': { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } },
          },
        },
      },
      '/dashboard.js': {
        get: {
          summary: "The dashboard's script",
          responses: {
            '200': {
              description: 'JavaScript, bundled from TypeScript.',
              content: { 'text/javascript': { schema: { type: 'string' } } },
            },
            '500': errorResponse('The script could not be bundled.'),
          },
        },
      },
      '/dashboard.css': {
        get: {
          summary: "The dashboard's style sheet",
          responses: {
            '200': { description: 'CSS.', content: { 'text/css': { schema: { type: 'string' } } } },
          },
        },
      },
      '/api/top_venues': {
        get: {
          summary: 'An HTML page with the table of the top venues',
          parameters: [limit(String(options.pageRows)), window],
          responses: {
            '200': { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } },
            '400': errorResponse('A parameter is out of bounds.'),
            '500': errorResponse('The store failed.'),
          },
        },
      },
      '/healthz': {
        get: {
          summary: 'Liveness: the process answers',
          responses: { '200': { description: 'Alive.', content: { 'application/json': { schema: status('ok') } } } },
        },
      },
      '/readyz': {
        get: {
          summary: 'Readiness: the count store answers',
          responses: {
            '200': { description: 'Ready.', content: { 'application/json': { schema: status('ready') } } },
            '503': errorResponse('The store does not answer.'),
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics, when the server exports them (rsvp serve and rsvp all do)',
          responses: {
            '200': {
              description: 'Prometheus text format.',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
      '/openapi.json': {
        get: {
          summary: 'This description',
          responses: {
            '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
    },
    components: {
      schemas: {
        VenueCount: {
          type: 'object',
          required: ['count', 'group_city', 'lat', 'lon', 'venue_name'],
          additionalProperties: false,
          properties: {
            count: { type: 'integer', minimum: 1, description: 'Distinct RSVPs whose latest message says yes here.' },
            group_city: { type: 'string' },
            lat: { type: 'string', description: 'Latitude as text, e.g. "24.299173" or "0".' },
            lon: { type: 'string', description: 'Longitude as text.' },
            venue_name: { type: 'string' },
          },
        },
        VenueFeatureCollection: {
          type: 'object',
          required: ['type', 'without_coordinates', 'features'],
          additionalProperties: false,
          properties: {
            type: { const: 'FeatureCollection' },
            without_coordinates: {
              type: 'integer',
              minimum: 0,
              description: 'Venues (of those asked for) left out for having no coordinates.',
            },
            features: { type: 'array', items: { $ref: '#/components/schemas/VenueFeature' } },
          },
        },
        VenueFeature: {
          type: 'object',
          required: ['type', 'geometry', 'properties'],
          additionalProperties: false,
          properties: {
            type: { const: 'Feature' },
            geometry: {
              type: 'object',
              required: ['type', 'coordinates'],
              additionalProperties: false,
              properties: {
                type: { const: 'Point' },
                coordinates: {
                  type: 'array',
                  description: '[longitude, latitude], WGS 84.',
                  prefixItems: [
                    { type: 'number', minimum: -180, maximum: 180 },
                    { type: 'number', minimum: -90, maximum: 90 },
                  ],
                  minItems: 2,
                  maxItems: 2,
                },
              },
            },
            properties: {
              type: 'object',
              required: ['venue_name', 'group_city', 'count'],
              additionalProperties: false,
              properties: {
                venue_name: { type: 'string' },
                group_city: { type: 'string' },
                count: { type: 'integer', minimum: 1 },
              },
            },
          },
        },
        CityChanges: {
          type: 'object',
          required: ['window', 'current', 'previous', 'cities'],
          additionalProperties: false,
          properties: {
            window: { type: 'string', enum: options.windows.map((w) => w.name) },
            current: { oneOf: [{ $ref: '#/components/schemas/WindowSpan' }, { type: 'null' }] },
            previous: { oneOf: [{ $ref: '#/components/schemas/WindowSpan' }, { type: 'null' }] },
            cities: {
              type: 'array',
              items: {
                type: 'object',
                required: ['city', 'current', 'previous', 'change'],
                additionalProperties: false,
                properties: {
                  city: { type: 'string', description: 'The group_city of the venues.' },
                  current: { type: 'integer', minimum: 0 },
                  previous: { type: 'integer', minimum: 0 },
                  change: { type: 'integer', description: 'current - previous.' },
                },
              },
            },
          },
        },
        WindowSpan: {
          type: 'object',
          required: ['start', 'end', 'total'],
          additionalProperties: false,
          properties: {
            start: { type: 'string', format: 'date-time' },
            end: { type: 'string', format: 'date-time', description: 'Exclusive.' },
            total: { type: 'integer', minimum: 0, description: 'RSVPs in the window, all cities.' },
          },
        },
        LiveSnapshot: {
          type: 'object',
          description: 'The `data:` of each `message` event of /api/live.',
          required: [
            'time',
            'interval_ms',
            'history_ms',
            'total',
            'venues',
            'top',
            'history',
            'points',
            'without_coordinates',
          ],
          additionalProperties: false,
          properties: {
            time: { type: 'integer', description: 'When the server polled, ms since the epoch.' },
            interval_ms: { type: 'number', exclusiveMinimum: 0 },
            history_ms: { type: 'number', exclusiveMinimum: 0 },
            total: { type: 'integer', description: 'Distinct RSVPs counted: the sum of all-time venue counts.' },
            venues: { type: 'integer', minimum: 0 },
            top: {
              type: 'array',
              items: {
                type: 'object',
                required: ['venue_id', 'venue_name', 'group_city', 'count'],
                additionalProperties: false,
                properties: {
                  venue_id: { type: 'integer' },
                  venue_name: { type: 'string' },
                  group_city: { type: 'string' },
                  count: { type: 'integer', minimum: 1 },
                },
              },
            },
            history: {
              type: 'array',
              description: '[time, total] at each poll of the last history_ms, oldest first.',
              items: {
                type: 'array',
                prefixItems: [{ type: 'integer' }, { type: 'integer' }],
                minItems: 2,
                maxItems: 2,
              },
            },
            points: {
              type: 'array',
              items: {
                type: 'object',
                required: ['lon', 'lat', 'count', 'venue_name', 'group_city'],
                additionalProperties: false,
                properties: {
                  lon: { type: 'number', minimum: -180, maximum: 180 },
                  lat: { type: 'number', minimum: -90, maximum: 90 },
                  count: { type: 'integer', minimum: 1 },
                  venue_name: { type: 'string' },
                  group_city: { type: 'string' },
                },
              },
            },
            without_coordinates: { type: 'integer', minimum: 0 },
          },
        },
        Error: errorBody,
      },
    },
  } as const;
}

function status(value: string) {
  return {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: { status: { const: value } },
  } as const;
}
