import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TopVenuesRequest, VenueCountQuery, VenueRow } from '@rsvp/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type AppDeps, createApp } from './create-app.js';

const ROWS: VenueRow[] = [
  { venueId: 1, venueName: 'Blue Door', groupCity: 'New York', lat: '40.712776', lon: '-74.005974', count: 3 },
  {
    venueId: 2,
    venueName: '<script>alert(1)</script>',
    groupCity: '"\'><img src=x onerror=alert(2)>',
    lat: '0',
    lon: '0',
    count: 2,
  },
];

/** A query port that answers fixed rows and records what it was asked (the store has tests of its own). */
function fakeQuery(latest: number | null = 1_489_925_470_960): VenueCountQuery & { asked: TopVenuesRequest[] } {
  const asked: TopVenuesRequest[] = [];
  return {
    asked,
    async topVenues(request) {
      asked.push(request);
      return ROWS.slice(0, request.limit);
    },
    async latestEventTime() {
      return latest;
    },
  };
}

const WINDOWS = [{ name: '1h', sizeMs: 3_600_000, slideMs: 300_000 }];
let server: Server | undefined;

async function serve(deps: Partial<AppDeps> = {}): Promise<string> {
  const app = createApp({ query: fakeQuery(), windows: WINDOWS, maxLimit: 100, ...deps });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('GET /api/data', () => {
  it("answers the original system's shape: count, group_city, lat, lon, venue_name, lat/lon as strings", async () => {
    const res = await fetch(`${await serve()}/api/data`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await res.text();
    expect(
      text.startsWith(
        '[{"count":3,"group_city":"New York","lat":"40.712776","lon":"-74.005974","venue_name":"Blue Door"}',
      ),
    ).toBe(true);
    expect(JSON.parse(text)).toHaveLength(2);
  });

  it('passes limit and the current window to the query', async () => {
    const query = fakeQuery();
    const base = await serve({ query });
    await fetch(`${base}/api/data?limit=1&window=1h`);
    // The latest event, 12:11:10 UTC → the hour ending at the next 5-minute boundary, 12:15.
    expect(query.asked).toEqual([{ limit: 1, window: { name: '1h', start: Date.UTC(2017, 2, 19, 11, 15) } }]);
  });

  it('answers an empty list for a window before any RSVP', async () => {
    const res = await fetch(`${await serve({ query: fakeQuery(null) })}/api/data?window=1h`);
    expect(await res.json()).toEqual([]);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['window=1d', 'window'],
    ['window=1h&window=1h', 'window'],
    ['window=', 'window'],
  ])('refuses ?%s with a 400 and a JSON error', async (params, parameter) => {
    const res = await fetch(`${await serve()}/api/data?${params}`);
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body).toEqual({ error: { code: 'invalid_parameter', message: expect.any(String), parameter } });
  });
});

describe('GET /api/top_venues', () => {
  it('renders the rows as a table, escaping every value', async () => {
    const res = await fetch(`${await serve()}/api/top_venues`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<td>Blue Door</td><td>New York</td><td class="count">3</td>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;&#x2F;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe('health, errors and unknown routes', () => {
  it('answers /healthz, and /readyz by the store', async () => {
    let up = false;
    const base = await serve({ isReady: async () => up });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    up = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${await serve()}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /nope' } });
  });

  it('answers a failing store with a bare 500, no stack or driver message, and reports the error', async () => {
    const errors: unknown[] = [];
    const query: VenueCountQuery = {
      topVenues: () => Promise.reject(new Error('connection refused 127.0.0.1:9042')),
      latestEventTime: async () => null,
    };
    const res = await fetch(`${await serve({ query, onError: (e) => errors.push(e) })}/api/data`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: 'internal error' } });
    expect(text).not.toContain('9042');
    expect(errors).toHaveLength(1);
  });

  it('ignores request bodies, even large ones, and answers malformed paths with JSON, never a stack trace', async () => {
    const base = await serve();
    const big = await fetch(`${base}/api/data`, { method: 'POST', body: 'x'.repeat(1_000_000) });
    expect(big.status).toBe(404);
    expect(await big.json()).toMatchObject({ error: { code: 'not_found' } });
    const malformed = await fetch(`${base}/api/%E0%A4%A`);
    expect(malformed.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await malformed.text();
    expect(text).not.toMatch(/at .*\.(js|ts):\d+/);
    expect(JSON.parse(text)).toHaveProperty('error.code');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
