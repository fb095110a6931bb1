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
