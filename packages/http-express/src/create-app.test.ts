import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TopVenuesRequest, VenueCountQuery, VenueRow } from '@rsvp/core';
import { nextEvent, serverSentEvents } from '@rsvp/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LiveSnapshot } from './api/responses.js';
import { type AppDeps, createApp, type RsvpApp } from './create-app.js';

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

const HOUR = { name: '1h', sizeMs: 3_600_000, slideMs: 300_000 };
const WINDOWS = [HOUR];
let server: Server | undefined;
let app: RsvpApp | undefined;

async function serve(deps: Partial<AppDeps> = {}): Promise<string> {
  // Without the sampler unless a test sets `live`: the tests of the other routes count the queries.
  app = createApp({ query: fakeQuery(), windows: WINDOWS, maxLimit: 100, live: { sampleWhileIdle: false }, ...deps });
  const listening = app;
  server = await new Promise<Server>((resolve) => {
    const s = listening.listen(0, '127.0.0.1', () => resolve(s));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  app?.closeStreams();
  const open = server;
  if (open) {
    const closed = new Promise((resolve) => open.close(resolve));
    open.closeAllConnections(); // as the CLI does: sockets a client left open (undici opens spare ones) go too
    await closed;
  }
  server = undefined;
  app = undefined;
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
    expect(query.asked).toEqual([{ limit: 1, window: { ...HOUR, start: Date.UTC(2017, 2, 19, 11, 15) } }]);
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

  it.each([
    ['/api/data?limit=0', 'limit must be a whole number from 1 to 100'],
    ['/api/data?limit=1e2', 'limit must be a whole number from 1 to 100'],
    ['/api/data?limit=0&window=1d', 'limit must be a whole number from 1 to 100'],
    ['/api/data?window=1d', 'window must be one of: 1h'],
    ['/api/top_venues?limit=-1', 'limit must be a whole number from 1 to 100'],
    ['/api/cities?limit=0', 'window is required: one of 1h'],
    ['/api/cities?window=1d&limit=0', 'limit must be a whole number from 1 to 100'],
  ])('says what %s should be, from the bounds and choices of its schema', async (path, message) => {
    const res = await fetch(`${await serve()}${path}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe(message);
  });

  it('says when no window is configured', async () => {
    const base = await serve({ windows: [] });
    const messages = await Promise.all(
      ['/api/data?window=1h', '/api/cities'].map(async (path) => {
        const res = await fetch(`${base}${path}`);
        return ((await res.json()) as { error: { message: string } }).error.message;
      }),
    );
    expect(messages).toEqual(['window must be one of: (none configured)', 'window is required: one of (none)']);
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

describe('GET /api/venues.geojson', () => {
  it('answers a GeoJSON FeatureCollection of the venues with coordinates, [lon, lat] as numbers', async () => {
    const res = await fetch(`${await serve()}/api/venues.geojson`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/geo\+json/);
    expect(await res.json()).toEqual({
      type: 'FeatureCollection',
      without_coordinates: 1,
      features: [
        {
          type: 'Feature',
          geometry: { type: 'Point', coordinates: [-74.005974, 40.712776] },
          properties: { venue_name: 'Blue Door', group_city: 'New York', count: 3 },
        },
      ],
    });
  });

  it('takes the parameters of /api/data: limit and the current window', async () => {
    const query = fakeQuery();
    const base = await serve({ query });
    const res = await fetch(`${base}/api/venues.geojson?limit=1&window=1h`);
    expect(res.status).toBe(200);
    expect(query.asked).toEqual([{ limit: 1, window: { ...HOUR, start: Date.UTC(2017, 2, 19, 11, 15) } }]);
    expect((await fetch(`${base}/api/venues.geojson?limit=0`)).status).toBe(400);
    const bad = await fetch(`${base}/api/venues.geojson?window=2h`);
    expect(await bad.json()).toEqual({
      error: { code: 'invalid_parameter', message: expect.any(String), parameter: 'window' },
    });
  });

  it('leaves out venues whose coordinates are 0, 0 or not numbers, and counts them', async () => {
    const rows: VenueRow[] = [
      { venueId: 1, venueName: 'A', groupCity: 'X', lat: '0', lon: '0', count: 4 },
      { venueId: 2, venueName: 'B', groupCity: 'X', lat: '', lon: '12.5', count: 3 },
      { venueId: 3, venueName: 'C', groupCity: 'Y', lat: '0', lon: '-12.25', count: 2 },
      { venueId: 4, venueName: 'D', groupCity: 'Y', lat: '95', lon: '10', count: 1 },
    ];
    const query: VenueCountQuery = { topVenues: async () => rows, latestEventTime: async () => null };
    const body = await (await fetch(`${await serve({ query })}/api/venues.geojson`)).json();
    expect(body.without_coordinates).toBe(3);
    expect(body.features.map((f: { geometry: { coordinates: number[] } }) => f.geometry.coordinates)).toEqual([
      [-12.25, 0],
    ]);
  });
});

describe('GET /api/cities', () => {
  // The latest event, 12:11:10 UTC: the current 1h window is 11:15–12:15, the previous one 10:15–11:15.
  const CURRENT = Date.UTC(2017, 2, 19, 11, 15);
  const PREVIOUS = Date.UTC(2017, 2, 19, 10, 15);
  const venue = (venueId: number, groupCity: string, count: number): VenueRow => ({
    venueId,
    venueName: `V${venueId}`,
    groupCity,
    lat: '1',
    lon: '1',
    count,
  });
  const BY_START = new Map<number, VenueRow[]>([
    [
      CURRENT,
      [venue(1, 'Paris', 7), venue(2, 'Berlin', 5), venue(3, 'Paris', 1), venue(4, 'Austin', 3), venue(5, 'Lima', 2)],
    ],
    [PREVIOUS, [venue(1, 'Paris', 2), venue(2, 'Berlin', 1), venue(6, 'Oslo', 4), venue(5, 'Lima', 2)]],
  ]);
  function windowedQuery(latest: number | null = 1_489_925_470_960) {
    const asked: TopVenuesRequest[] = [];
    const query: VenueCountQuery = {
      async topVenues(request) {
        asked.push(request);
        return request.window ? (BY_START.get(request.window.start) ?? []) : [];
      },
      latestEventTime: async () => latest,
    };
    return { query, asked };
  }

  it('compares the current window with the one that ended where it starts, rising cities first', async () => {
    const { query, asked } = windowedQuery();
    const res = await fetch(`${await serve({ query })}/api/cities?window=1h`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      window: '1h',
      current: { start: '2017-03-19T11:15:00.000Z', end: '2017-03-19T12:15:00.000Z', total: 18 },
      previous: { start: '2017-03-19T10:15:00.000Z', end: '2017-03-19T11:15:00.000Z', total: 9 },
      cities: [
        { city: 'Paris', current: 8, previous: 2, change: 6 },
        { city: 'Berlin', current: 5, previous: 1, change: 4 },
        { city: 'Austin', current: 3, previous: 0, change: 3 },
        { city: 'Lima', current: 2, previous: 2, change: 0 },
        { city: 'Oslo', current: 0, previous: 4, change: -4 },
      ],
    });
    expect(asked).toEqual([{ window: { ...HOUR, start: CURRENT } }, { window: { ...HOUR, start: PREVIOUS } }]);
  });

  it('breaks ties by current RSVPs, then by city name', async () => {
    const rows = new Map<number, VenueRow[]>([
      [CURRENT, [venue(1, 'Bonn', 3), venue(2, 'Accra', 1), venue(3, 'Cork', 3), venue(4, 'Zug', 5)]],
      [PREVIOUS, [venue(1, 'Bonn', 1), venue(4, 'Zug', 3)]],
    ]);
    const query: VenueCountQuery = {
      topVenues: async (request) => rows.get(request.window?.start ?? 0) ?? [],
      latestEventTime: async () => 1_489_925_470_960,
    };
    const body = await (await fetch(`${await serve({ query })}/api/cities?window=1h&limit=3`)).json();
    expect(body.cities.map((c: { city: string }) => c.city)).toEqual(['Cork', 'Zug', 'Bonn']);
  });

  it('answers empty windows before any RSVP', async () => {
    const { query } = windowedQuery(null);
    const res = await fetch(`${await serve({ query })}/api/cities?window=1h`);
    expect(await res.json()).toEqual({ window: '1h', current: null, previous: null, cities: [] });
  });

  it.each([
    ['', 'window'],
    ['limit=5', 'window'],
    ['window=1d', 'window'],
    ['window=', 'window'],
    ['window=1h&limit=0', 'limit'],
  ])('refuses ?%s with a 400 and a JSON error', async (params, parameter) => {
    const res = await fetch(`${await serve()}/api/cities?${params}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'invalid_parameter', message: expect.any(String), parameter } });
  });
});

describe('GET /api/live', () => {
  it('streams snapshots of the all-time counts as Server-Sent Events', async () => {
    const query = fakeQuery();
    const base = await serve({ query, live: { intervalMs: 20, rows: 1 } });
    const controller = new AbortController();
    const res = await fetch(`${base}/api/live`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toContain('no-cache');
    const events = serverSentEvents(res);
    const first = await nextEvent(events);
    expect(first.event).toBe('message');
    const snapshot = JSON.parse(first.data) as LiveSnapshot;
    expect(snapshot).toMatchObject({
      total: 5,
      venues: 2,
      top: [{ venue_id: 1, venue_name: 'Blue Door', group_city: 'New York', count: 3 }],
      points: [{ lon: -74.005974, lat: 40.712776, count: 3, venue_name: 'Blue Door', group_city: 'New York' }],
      without_coordinates: 1,
      interval_ms: 20,
    });
    const second = JSON.parse((await nextEvent(events)).data) as LiveSnapshot;
    expect(second.time).toBeGreaterThan(snapshot.time);
    expect(second.history.length).toBeGreaterThanOrEqual(2);
    expect(query.asked.every((request) => request.limit === undefined && request.window === undefined)).toBe(true);
    controller.abort();
  });

  it('polls once for every stream together, and stops when the last client goes (sampleWhileIdle: false)', async () => {
    const query = fakeQuery();
    const base = await serve({ query, live: { intervalMs: 20, sampleWhileIdle: false } });
    const feed = (app as RsvpApp).liveFeed;
    const clients = [new AbortController(), new AbortController(), new AbortController()];
    const streams = await Promise.all(
      clients.map(async (c) => serverSentEvents(await fetch(`${base}/api/live`, { signal: c.signal }))),
    );
    for (const stream of streams) await nextEvent(stream);
    await vi.waitFor(() => expect(feed.subscriberCount).toBe(3));
    const polls = feed.polls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    // About one poll per interval whatever the number of streams (3 streams would be 3 times as many).
    expect(feed.polls - polls).toBeLessThanOrEqual(7);
    expect(query.asked.length).toBe(feed.polls);
    for (const c of clients) c.abort();
    await vi.waitFor(() => expect(feed.subscriberCount).toBe(0));
    await vi.waitFor(() => expect(feed.active).toBe(false));
    const stopped = feed.polls;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(feed.polls).toBe(stopped);
  });

  it('samples the total while nobody watches, so the first stream gets the history at once, until closeStreams()', async () => {
    const query = fakeQuery();
    const base = await serve({ query, live: { intervalMs: 20 } });
    const feed = (app as RsvpApp).liveFeed;
    expect(feed.sampling).toBe(true);
    await vi.waitFor(() => expect(feed.polls).toBeGreaterThanOrEqual(5));
    expect(feed.subscriberCount).toBe(0);
    const controller = new AbortController();
    const events = serverSentEvents(await fetch(`${base}/api/live`, { signal: controller.signal }));
    const first = JSON.parse((await nextEvent(events)).data) as LiveSnapshot;
    expect(first.history.length).toBeGreaterThanOrEqual(5);
    expect(first.history.every(([, total]) => total === 5)).toBe(true);
    controller.abort();
    await vi.waitFor(() => expect(feed.subscriberCount).toBe(0));
    // Nobody watches, and the sampler goes on: about one poll per interval.
    const polls = feed.polls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(feed.polls).toBeGreaterThan(polls);
    expect(feed.polls - polls).toBeLessThanOrEqual(7);
    expect(query.asked.length).toBe(feed.polls);
    (app as RsvpApp).closeStreams();
    expect(feed.sampling).toBe(false);
    await vi.waitFor(() => expect(feed.active).toBe(false));
    const stopped = feed.polls;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(feed.polls).toBe(stopped);
  });

  it('stops the sampler when a server that app.listen() made closes: no timer left behind', async () => {
    await serve({ live: { intervalMs: 20 } });
    const feed = (app as RsvpApp).liveFeed;
    await vi.waitFor(() => expect(feed.polls).toBeGreaterThan(0));
    expect(feed.active).toBe(true);
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    expect(feed.closed).toBe(true);
    await vi.waitFor(() => expect(feed.active).toBe(false));
  });

  it('closeStreams() ends the open streams so the server closes, and refuses new ones', async () => {
    const base = await serve({ live: { intervalMs: 20 } });
    const events = serverSentEvents(await fetch(`${base}/api/live`));
    await nextEvent(events);
    (app as RsvpApp).closeStreams();
    await expect(events.next()).resolves.toEqual({ done: true, value: undefined });
    const refused = await fetch(`${base}/api/live`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: { code: 'not_ready', message: 'the server is shutting down' } });
    const closed = new Promise((resolve) => server?.close(resolve));
    await expect(Promise.race([closed, new Promise((r) => setTimeout(() => r('timeout'), 2000))])).resolves.not.toBe(
      'timeout',
    );
    server = undefined;
  });
});

describe('the dashboard: GET /, /dashboard.js, /dashboard.css', () => {
  it('serves a page without inline script or style, loading only our own script and style sheet', async () => {
    const res = await fetch(`${await serve()}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<script src="dashboard.js" defer></script>');
    expect(html).toContain('<link rel="stylesheet" href="dashboard.css">');
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('names its figure "RSVPs saying yes", never "counted" (the metrics\' word for records applied)', async () => {
    const url = await serve();
    const html = await (await fetch(`${url}/`)).text();
    expect(html).toContain('<span class="label">RSVPs saying yes</span>');
    const script = await (await fetch(`${url}/dashboard.js`)).text();
    const page = await (await fetch(`${url}/api/top_venues`)).text();
    for (const text of [html, script, page]) expect(text).not.toMatch(/counted/i);
  });

  it('serves the client bundled from TypeScript into one script, with no imports left', async () => {
    const base = await serve();
    const res = await fetch(`${base}/dashboard.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    const script = await res.text();
    expect(script).toContain('EventSource');
    expect(script).toContain('api/live');
    expect(script).not.toMatch(/\bimport\s*[{("']|\bexport\s/);
    expect(script).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    // The dashboard takes the API's types from the schemas (api/), never the schemas: no TypeBox in it.
    expect(script).not.toMatch(/~kind|additionalProperties/);
    const css = await fetch(`${base}/dashboard.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toContain('.grid');
  });

  it('writes data into the page as text only: no innerHTML and the like in the client', () => {
    const dir = new URL('./dashboard/', import.meta.url);
    const sources = readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    expect(sources).toContain('main.ts');
    for (const name of sources) {
      expect(readFileSync(new URL(name, dir), 'utf8'), name).not.toMatch(
        /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
      );
    }
  });
});

describe('security headers: the CSP over plain HTTP and behind TLS, and CORS', () => {
  it('serves a CSP without upgrade-insecure-requests (and no HSTS) by default: the app works over plain HTTP', async () => {
    const url = await serve();
    for (const path of ['/', '/api/data', '/dashboard.js']) {
      const response = await fetch(`${url}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(response.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('upgrades insecure requests and sends HSTS when the operator says the app sits behind TLS', async () => {
    const url = await serve({ behindTls: true });
    const response = await fetch(`${url}/`);
    expect(response.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('sends no CORS header and keeps Cross-Origin-Resource-Policy same-origin when CORS is off', async () => {
    const url = await serve();
    const response = await fetch(`${url}/api/data`, { headers: { Origin: 'http://map.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });

  it('lets the listed origins read the GET API and the feed, with CORP cross-origin, and no other origin', async () => {
    const url = await serve({ corsOrigins: ['http://map.example', 'https://maps.example:8443'] });
    for (const path of ['/api/data', '/api/venues.geojson', '/api/cities?window=1h', '/openapi.json']) {
      const response = await fetch(`${url}${path}`, { headers: { Origin: 'https://maps.example:8443' } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('access-control-allow-origin'), path).toBe('https://maps.example:8443');
      expect(response.headers.get('vary'), path).toMatch(/Origin/);
      expect(response.headers.get('cross-origin-resource-policy'), path).toBe('cross-origin');
      expect(response.headers.get('access-control-allow-credentials'), path).toBeNull();
    }
    const stranger = await fetch(`${url}/api/data`, { headers: { Origin: 'http://evil.example' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${url}/api/data`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://map.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,HEAD');
    // The dashboard and the operational routes stay same-origin.
    for (const path of ['/', '/healthz', '/api/top_venues']) {
      const response = await fetch(`${url}${path}`, { headers: { Origin: 'http://map.example' } });
      expect(response.headers.get('access-control-allow-origin'), path).toBeNull();
      expect(response.headers.get('cross-origin-resource-policy'), path).toBe('same-origin');
    }
  });

  it('answers any origin with * when told so, and streams /api/live to it', async () => {
    const url = await serve({ corsOrigins: '*' });
    const controller = new AbortController();
    const response = await fetch(`${url}/api/live`, {
      headers: { Origin: 'http://a.example' },
      signal: controller.signal,
    });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    controller.abort();
  });
});
