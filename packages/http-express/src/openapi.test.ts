import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VenueCountQuery } from '@rsvp/core';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './create-app.js';

const query: VenueCountQuery = {
  topVenues: async ({ limit }) =>
    [
      { venueId: 1, venueName: 'Launch 22', groupCity: 'Liverpool', lat: '53.409649', lon: '-2.989783', count: 6 },
      { venueId: 2, venueName: 'Zero', groupCity: 'Nowhere', lat: '0', lon: '0', count: 1 },
    ].slice(0, limit),
  latestEventTime: async () => 1_489_925_470_960,
};
const failing: VenueCountQuery = { topVenues: () => Promise.reject(new Error('down')), latestEventTime: async () => 1 };

let server: Server;
let failingServer: Server;
let base: string;
let failingBase: string;
let spec: {
  paths: Record<string, { get: { responses: Record<string, { content?: Record<string, { schema: object }> }> } }>;
  components: { schemas: Record<string, object> };
};

const listen = (app: ReturnType<typeof createApp>) =>
  new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

beforeAll(async () => {
  const windows = [{ name: '1h', sizeMs: 3_600_000, slideMs: 300_000 }];
  server = await listen(createApp({ query, windows, maxLimit: 50 }));
  failingServer = await listen(createApp({ query: failing, windows, isReady: async () => false }));
  base = urlOf(server);
  failingBase = urlOf(failingServer);
  spec = (await (await fetch(`${base}/openapi.json`)).json()) as typeof spec;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => failingServer.close(resolve));
});

/** Checks a real response against the schema the description gives for its path and status. */
async function expectDescribed(url: string, path: string): Promise<void> {
  const res = await fetch(url);
  const described = spec.paths[path]?.get.responses[String(res.status)];
  expect(described, `${path} ${res.status} is described`).toBeDefined();
  const type = (res.headers.get('content-type') ?? '').split(';')[0] as string;
  const schema = described?.content?.[type]?.schema;
  expect(schema, `${path} ${res.status} ${type} has a schema`).toBeDefined();
  const ajv = new Ajv2020({ strict: false });
  ajv.addSchema({ $id: 'api', components: spec.components });
  const body = type === 'application/json' ? await res.json() : await res.text();
  const validate = ajv.compile({ $ref: 'api#', ...rewriteRefs(schema as object) });
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
  });
});
