import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VenueCountQuery } from '@rsvp/core';
import { nextEvent, serverSentEvents } from '@rsvp/testkit';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ERROR_CODES } from './api/errors.js';
import { createApp, type RsvpApp } from './create-app.js';

const query: VenueCountQuery = {
  topVenues: async ({ limit }) =>
    [
      { venueId: 1, venueName: 'Launch 22', groupCity: 'Liverpool', lat: '53.409649', lon: '-2.989783', count: 6 },
      { venueId: 2, venueName: 'Zero', groupCity: 'Nowhere', lat: '0', lon: '0', count: 1 },
    ].slice(0, limit),
  latestEventTime: async () => 1_489_925_470_960,
};
const failing: VenueCountQuery = { topVenues: () => Promise.reject(new Error('down')), latestEventTime: async () => 1 };

let app: RsvpApp;
let failingApp: RsvpApp;
let server: Server;
let failingServer: Server;
let base: string;
let failingBase: string;
let spec: {
  paths: Record<string, { get: { responses: Record<string, { content?: Record<string, { schema: object }> }> } }>;
  components: { schemas: Record<string, object> };
};

const listen = (listening: RsvpApp) =>
  new Promise<Server>((resolve) => {
    const s = listening.listen(0, '127.0.0.1', () => resolve(s));
  });
const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

beforeAll(async () => {
  const windows = [{ name: '1h', sizeMs: 3_600_000, slideMs: 300_000 }];
  app = createApp({ query, windows, maxLimit: 50, live: { intervalMs: 50 } });
  failingApp = createApp({ query: failing, windows, isReady: async () => false, live: { intervalMs: 50 } });
  server = await listen(app);
  failingServer = await listen(failingApp);
  base = urlOf(server);
  failingBase = urlOf(failingServer);
  spec = (await (await fetch(`${base}/openapi.json`)).json()) as typeof spec;
});

afterAll(async () => {
  for (const [a, s] of [
    [app, server],
    [failingApp, failingServer],
  ] as const) {
    a.closeStreams();
    const closed = new Promise((resolve) => s.close(resolve));
    s.closeAllConnections();
    await closed;
  }
});

/** Checks a real response against the schema the description gives for its path and status. */
async function expectDescribed(url: string, path: string): Promise<void> {
  const res = await fetch(url);
  const described = spec.paths[path]?.get.responses[String(res.status)];
  expect(described, `${path} ${res.status} is described`).toBeDefined();
  const type = (res.headers.get('content-type') ?? '').split(';')[0] as string;
  const schema = described?.content?.[type]?.schema;
  expect(schema, `${path} ${res.status} ${type} has a schema`).toBeDefined();
  const body = /^application\/(.+\+)?json$/.test(type) ? await res.json() : await res.text();
  expectValid(schema as object, body);
}

let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

/** Checks a value against a schema of the description (compiled once: Ajv is slow to compile). */
function expectValid(schema: object, body: unknown): void {
  if (ajv === undefined) {
    ajv = new Ajv2020({ strict: false });
    ajv.addFormat('date-time', (text: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text));
    ajv.addSchema({ $id: 'api', components: spec.components });
  }
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (validate === undefined) {
    validate = ajv.compile({ $ref: 'api#', ...rewriteRefs(schema) });
    validators.set(key, validate);
  }
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}

/** `#/components/...` in the description → `api#/components/...` in the validator's registry. */
function rewriteRefs(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"api#/components/'));
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document naming the configured windows and limits', () => {
    expect(spec).toMatchObject({ openapi: '3.1.0' });
    const data = spec.paths['/api/data'] as unknown as { get: { parameters: { name: string; schema: object }[] } };
    const parameters = data.get.parameters;
    expect(parameters).toEqual([
      expect.objectContaining({ name: 'limit', schema: { type: 'integer', minimum: 1, maximum: 50 } }),
      expect.objectContaining({ name: 'window', schema: { type: 'string', enum: ['1h'] } }),
    ]);
  });

  it('holds schemas that are valid JSON Schema 2020-12, the dialect of OpenAPI 3.1 (Ajv, strict mode)', () => {
    // Ajv is not what the server validates with (TypeBox's compiler is): a second, independent reader.
    const strict = new Ajv2020({ strict: true });
    strict.addFormat('date-time', () => true);
    for (const [name, schema] of Object.entries(spec.components.schemas)) {
      expect(() => strict.compile(schema), name).not.toThrow();
    }
  });

  it('lists the error codes of the API, the list the handlers answer from', () => {
    const error = spec.components.schemas.Error as {
      properties: { error: { properties: { code: { enum: string[] } } } };
    };
    expect(error.properties.error.properties.code.enum).toEqual([...API_ERROR_CODES]);
  });

  it('describes the real responses, errors included', async () => {
    await expectDescribed(`${base}/api/data`, '/api/data');
    await expectDescribed(`${base}/api/data?limit=1&window=1h`, '/api/data');
    await expectDescribed(`${base}/api/data?limit=51`, '/api/data');
    await expectDescribed(`${base}/api/top_venues`, '/api/top_venues');
    await expectDescribed(`${base}/api/top_venues?window=2h`, '/api/top_venues');
    await expectDescribed(`${base}/healthz`, '/healthz');
    await expectDescribed(`${base}/readyz`, '/readyz');
    await expectDescribed(`${failingBase}/readyz`, '/readyz');
    await expectDescribed(`${failingBase}/api/data`, '/api/data');
    await expectDescribed(`${base}/openapi.json`, '/openapi.json');
    await expectDescribed(`${base}/api/venues.geojson`, '/api/venues.geojson');
    await expectDescribed(`${base}/api/venues.geojson?limit=1&window=1h`, '/api/venues.geojson');
    await expectDescribed(`${base}/api/venues.geojson?limit=0`, '/api/venues.geojson');
    await expectDescribed(`${failingBase}/api/venues.geojson`, '/api/venues.geojson');
    await expectDescribed(`${base}/api/cities?window=1h`, '/api/cities');
    await expectDescribed(`${base}/api/cities?window=1h&limit=1`, '/api/cities');
    await expectDescribed(`${base}/api/cities`, '/api/cities');
    await expectDescribed(`${base}/api/cities?window=2h`, '/api/cities');
    await expectDescribed(`${failingBase}/api/cities?window=1h`, '/api/cities');
    await expectDescribed(`${base}/`, '/');
    await expectDescribed(`${base}/dashboard.js`, '/dashboard.js');
    await expectDescribed(`${base}/dashboard.css`, '/dashboard.css');
  });

  it('describes the cities of empty windows before any RSVP', async () => {
    const empty = createApp({
      query: { topVenues: async () => [], latestEventTime: async () => null },
      windows: [{ name: '1h', sizeMs: 3_600_000, slideMs: 300_000 }],
    });
    const emptyServer = await listen(empty);
    try {
      await expectDescribed(`${urlOf(emptyServer)}/api/cities?window=1h`, '/api/cities');
    } finally {
      await new Promise((resolve) => emptyServer.close(resolve));
    }
  });

  it('describes /api/live: a text/event-stream whose data are LiveSnapshots, unavailable events, then 503', async () => {
    const live = spec.paths['/api/live']?.get.responses;
    expect(Object.keys(live?.['200']?.content ?? {})).toEqual(['text/event-stream']);
    const controller = new AbortController();
    const res = await fetch(`${base}/api/live`, { signal: controller.signal });
    expect((res.headers.get('content-type') ?? '').split(';')[0]).toBe('text/event-stream');
    const events = serverSentEvents(res);
    for (let i = 0; i < 2; i++) {
      const event = await nextEvent(events);
      expect(event.event).toBe('message');
      expectValid({ $ref: '#/components/schemas/LiveSnapshot' }, JSON.parse(event.data));
    }
    controller.abort();

    const failingEvents = serverSentEvents(await fetch(`${failingBase}/api/live`));
    const unavailable = await nextEvent(failingEvents);
    expect(unavailable.event).toBe('unavailable');
    expect(JSON.parse(unavailable.data)).toEqual({ message: expect.any(String) });
    expectValid({ $ref: '#/components/schemas/LiveUnavailable' }, JSON.parse(unavailable.data));
    failingApp.closeStreams();
    await expectDescribed(`${failingBase}/api/live`, '/api/live');
  });
});
