import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  currentWindowStart,
  type TopVenuesRequest,
  type VenueCountQuery,
  type VenueRow,
  type WindowSpec,
} from '@rsvp/core';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createApp, type RsvpApp } from './create-app.js';

const HOSTILE = '<img src=x onerror="window.__pwned = \'img\'">';
const HOSTILE_CITY = '</td><script>window.__pwned = "city"</script>';

const PLACES: [name: string, city: string, lat: number, lon: number][] = [
  ['Launch 22', 'Liverpool', 53.409649, -2.989783],
  ['The White Hart Tap', 'St Albans', 51.749229, -0.336037],
  ['Galvanize', 'San Francisco', 37.787, -122.3964],
  ['WeWork Chelsea', 'New York', 40.7401, -73.9903],
  ['Betahaus', 'Berlin', 52.5017, 13.4115],
  ['Google Campus', 'London', 51.5227, -0.0859],
  ['Impact Hub', 'Madrid', 40.4093, -3.6932],
  ['Fishburners', 'Sydney', -33.8615, 151.2055],
  ['Shibuya Hikarie', 'Tokyo', 35.659, 139.7037],
  ['91springboard', 'Bangalore', 12.9352, 77.6245],
  ['Cubo Itaú', 'São Paulo', -23.5928, -46.6826],
  ['MaRS', 'Toronto', 43.6599, -79.3883],
  ['1871', 'Chicago', 41.8885, -87.6354],
  ['Capital Factory', 'Austin', 30.2686, -97.7404],
  [HOSTILE, HOSTILE_CITY, 48.8566, 2.3522],
];

const WINDOWS: WindowSpec[] = [
  { name: '1m', sizeMs: 60_000, slideMs: 60_000 },
  { name: '1h', sizeMs: 3_600_000, slideMs: 300_000 },
];
/** The greatest event time seen, for the current windows. */
const LATEST = Date.UTC(2017, 2, 19, 12, 10);
/** RSVPs by venue (an index of PLACES) in the current window of either family, and in the one before. */
const CURRENT_WINDOW = new Map([
  [8, 9], // Tokyo
  [4, 7], // Berlin
  [7, 4], // Sydney
]);
const PREVIOUS_WINDOW = new Map([
  [4, 2], // Berlin
  [5, 6], // London
]);

/** A query port the test drives like a processor counting RSVPs: counts grow, and can be set. */
class FakeCounts implements VenueCountQuery {
  readonly counts: number[];
  private seed = 7;

  constructor() {
    this.counts = PLACES.map((_, i) => 40 - 2 * i);
    // Two venues without coordinates, as in the original data.
    this.counts.push(5, 3);
  }

  rows(counts: readonly number[] = this.counts): VenueRow[] {
    const rows = counts.map((count, venueId) => {
      const place = PLACES[venueId];
      return {
        venueId,
        venueName: place?.[0] ?? `Online event ${venueId}`,
        groupCity: place?.[1] ?? 'Nowhere',
        lat: String(place?.[2] ?? 0),
        lon: String(place?.[3] ?? 0),
        count,
      };
    });
    return rows
      .filter((row) => row.count > 0)
      .sort((a, b) => b.count - a.count || (a.venueName < b.venueName ? -1 : 1) || a.venueId - b.venueId);
  }

  /** New RSVPs at a few venues (a fixed pseudo-random sequence). */
  arrive(): void {
    const bursts = 1 + (this.next() % 5);
    for (let i = 0; i < bursts; i++) {
      const venue = this.next() % PLACES.length;
      this.counts[venue] = (this.counts[venue] ?? 0) + 1 + (this.next() % 3);
    }
  }

  private next(): number {
    this.seed = (this.seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return this.seed >>> 8;
  }

  async topVenues({ limit, window }: TopVenuesRequest): Promise<VenueRow[]> {
    if (window === undefined) return this.rows().slice(0, limit);
    const current = window.start === currentWindowStart(window, LATEST);
    const counts = PLACES.map((_, venueId) => (current ? CURRENT_WINDOW : PREVIOUS_WINDOW).get(venueId) ?? 0);
    return this.rows(counts).slice(0, limit);
  }

  async latestEventTime(): Promise<number | null> {
    return LATEST;
  }
}

const counts = new FakeCounts();
let app: RsvpApp;
let server: Server;
let browser: Browser;
let url: string;
let arrivals: ReturnType<typeof setInterval>;

beforeAll(async () => {
  app = createApp({ query: counts, windows: WINDOWS, live: { intervalMs: 100, historyMs: 8000, rows: 12 } });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      // Names that are not loopback to the browser (no "potentially trustworthy" shortcut), while every
      // connection still goes to 127.0.0.1: a server seen from another machine, and a map on another origin.
      '--host-resolver-rules=MAP dash.test 127.0.0.1, MAP map.test 127.0.0.1, MAP other.test 127.0.0.1',
    ],
  });
  arrivals = setInterval(() => counts.arrive(), 100);
});

afterAll(async () => {
  clearInterval(arrivals);
  await browser?.close();
  app?.closeStreams();
  await new Promise((resolve) => {
    server?.close(resolve);
    server?.closeAllConnections();
  });
});

describe('the live dashboard at / in a real browser (Chromium)', () => {
  it('updates the top venues in place as RSVPs are counted, draws the rate and the venues, runs no data', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    let navigations = 0;
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('request', (request) => requests.push(request.url()));
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        const w = window as unknown as { __csp?: string[] };
        w.__csp = [...(w.__csp ?? []), `${event.violatedDirective} ${event.blockedURI}`];
      });
    });

    // The server samples the rate with nobody watching: a page opened now draws the last seconds at once.
    await expect.poll(() => app.liveFeed.polls, { timeout: 10_000 }).toBeGreaterThanOrEqual(25);
    expect(app.liveFeed.subscriberCount).toBe(0);
    const response = await page.goto(`${url}/`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await page.waitForSelector('body[data-updates]');
    const firstLoad = await page.evaluate(() => ({
      updates: Number(document.body.dataset.updates),
      points: (document.querySelector('#rate-chart path.rate-line')?.getAttribute('d') ?? '').split('L').length,
    }));
    expect(firstLoad.points - firstLoad.updates).toBeGreaterThanOrEqual(20);

    // The table fills from the feed, in the order of the counts.
    const rows = page.locator('#top-venues tbody tr:not(.empty)');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(12);
    const firstName = () => page.locator('#top-venues tbody tr:first-child td.venue').textContent();
    const shown = (await page.locator('#top-venues tbody td.count').allTextContents()).map(Number);
    expect(shown).toEqual([...shown].sort((a, b) => b - a));
    expect(shown[0]).toBeGreaterThanOrEqual(40);

    // Marks that a reload or a re-render of the table would lose.
    await page.evaluate(() => {
      (window as unknown as { __marker?: string }).__marker = 'kept';
      const row = document.querySelector('#top-venues tbody tr') as HTMLTableRowElement & { __kept?: boolean };
      row.__kept = true;
    });

    // A burst of RSVPs at the hostile venue (last so far) makes it the top venue.
    const hostile = PLACES.length - 1;
    const burst = Math.max(...counts.counts) + 30;
    counts.counts[hostile] = burst;
    await expect.poll(firstName, { timeout: 5000 }).toBe(HOSTILE);
    const first = page.locator('#top-venues tbody tr:first-child');
    expect(await first.locator('td.city').textContent()).toBe(HOSTILE_CITY);
    expect(Number(await first.locator('td.count').textContent())).toBeGreaterThanOrEqual(burst);
    const total = Number((await page.locator('#total').textContent())?.replaceAll(',', ''));
    expect(total).toBeGreaterThan(burst);
    expect(
      await page.evaluate(() => ({
        marker: (window as unknown as { __marker?: string }).__marker,
        sameRow: (document.querySelector('#top-venues tbody tr') as { __kept?: boolean } | null)?.__kept,
        pwned: (window as unknown as { __pwned?: string }).__pwned,
      })),
    ).toEqual({ marker: 'kept', sameRow: true, pwned: undefined });
    expect(navigations).toBe(1);
    expect(await page.locator('#top-venues img, #top-venues script, #top-venues svg').count()).toBe(0);

    // The chart has a line of counted RSVPs per second, the map a circle per venue with coordinates.
    const linePoints = async () =>
      ((await page.locator('#rate-chart path.rate-line').first().getAttribute('d', { timeout: 1000 })) ?? '').split('L')
        .length;
    await expect.poll(linePoints, { timeout: 5000 }).toBeGreaterThan(5);
    expect(await page.locator('#rate-now').textContent()).toMatch(/^-?[\d,]+\.\d$|^[\d,]+$/);
    await expect.poll(() => page.locator('#venue-map circle.venue').count()).toBe(PLACES.length);
    const titles = await page.locator('#venue-map circle title').allTextContents();
    expect(titles.filter((title) => /^.* — .*: [\d,]+ RSVPs$/s.test(title))).toHaveLength(PLACES.length);
    expect(titles.some((title) => title.startsWith(`${HOSTILE} — ${HOSTILE_CITY}: `))).toBe(true);
    expect(await page.locator('#venue-map title img, #venue-map title script').count()).toBe(0);
    expect(await page.locator('#map-missing').textContent()).toContain('2 venues without coordinates');
    expect(await page.locator('#status').getAttribute('data-state')).toBe('live');

    // Everything came from this server: no CDN, no fonts, nothing else.
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) expect(request.startsWith(`${url}/`), request).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])).toEqual([]);
    expect(problems).toEqual([]);

    // The rising cities of the longest window while all time is shown: change, then RSVPs now, descending.
    const cityRows = page.locator('#rising-cities tbody tr:not(.empty)');
    await expect.poll(() => cityRows.count(), { timeout: 10_000 }).toBe(4);
    expect(await page.locator('#rising-cities tbody td.city').allTextContents()).toEqual([
      'Tokyo',
      'Berlin',
      'Sydney',
      'London',
    ]);
    expect(await page.locator('#rising-cities tbody td.change').allTextContents()).toEqual(['+9', '+5', '+4', '−6']);
    expect(await page.locator('.cities-window').first().textContent()).toBe('1h');

    // Hover a venue for a picture with its label, before the other checks move the map.
    const betahaus = page.locator('#venue-map circle.venue', {
      has: page.locator('title', { hasText: /^Betahaus — / }),
    });
    await betahaus.hover();
    const tooltip = page.locator('#venue-map .map-tooltip');
    await expect.poll(() => tooltip.getAttribute('visibility')).toBe('visible');
    expect(await tooltip.locator('.tip-name').textContent()).toBe('Betahaus');
    expect(await tooltip.locator('.tip-detail').textContent()).toMatch(/^Berlin · [\d,]+ RSVPs · #\d+$/);
    mkdirSync('test-artifacts', { recursive: true });
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true });

    // Closing the page ends its stream; the server samples on, with nobody watching.
    expect(app.liveFeed.subscriberCount).toBe(1);
    await page.close();
    await expect.poll(() => app.liveFeed.subscriberCount, { timeout: 5000 }).toBe(0);
    const polls = app.liveFeed.polls;
    await expect.poll(() => app.liveFeed.polls).toBeGreaterThan(polls + 2);
    expect(app.liveFeed.sampling).toBe(true);
  });

  it('draws the venues on a world map: land and borders, top 10, regions, hover and keyboard, the window picker', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // Counts hold still here, so ranks do too while the keys go from venue to venue.
    clearInterval(arrivals);
    onTestFinished(() => {
      arrivals = setInterval(() => counts.arrive(), 100);
    });
    await page.goto(`${url}/`);
    const venues = page.locator('#venue-map circle.venue');
    await expect.poll(() => venues.count(), { timeout: 10_000 }).toBe(PLACES.length);

    // Land and country borders: real coastlines, not a frame or a few segments.
    const basemap = await page.evaluate(() => {
      const land = document.querySelector('#venue-map path.land') as SVGPathElement | null;
      const borders = document.querySelector('#venue-map path.borders') as SVGPathElement | null;
      const box = land?.getBBox();
      return {
        land: land?.getAttribute('d')?.length ?? 0,
        landRings: (land?.getAttribute('d') ?? '').split('M').length - 1,
        borders: borders?.getAttribute('d')?.length ?? 0,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
      };
    });
    expect(basemap.land).toBeGreaterThan(10_000);
    expect(basemap.landRings).toBeGreaterThan(100);
    expect(basemap.borders).toBeGreaterThan(5_000);
    expect(basemap.width).toBeGreaterThan(850); // the world fills the 960-wide drawing
    expect(basemap.height).toBeGreaterThan(380);

    // Each venue is drawn where its place is: inland cities on land, the middle of the Atlantic not.
    const onLand = (names: string[]) =>
      page.evaluate((wanted) => {
        const land = document.querySelector('#venue-map path.land') as SVGPathElement;
        const at = (name: string) => {
          const circle = Array.from(document.querySelectorAll('#venue-map circle.venue')).find((c) =>
            c.querySelector('title')?.textContent?.startsWith(`${name} — `),
          ) as SVGCircleElement;
          return [Number(circle.getAttribute('cx')), Number(circle.getAttribute('cy'))] as const;
        };
        const inside = (x: number, y: number) => land.isPointInFill(new DOMPoint(x, y));
        const [nyX, nyY] = at('WeWork Chelsea');
        const [liverpoolX, liverpoolY] = at('Launch 22');
        return {
          places: wanted.map((name) => inside(...at(name))),
          atlantic: inside((nyX + liverpoolX) / 2, (nyY + liverpoolY) / 2),
          ordered: nyX < liverpoolX && at('Fishburners')[1] > at('Betahaus')[1],
        };
      }, names);
    expect(await onLand(['Impact Hub', 'Betahaus', '91springboard', 'Capital Factory', '1871'])).toEqual({
      places: [true, true, true, true, true],
      atlantic: false,
      ordered: true,
    });

    // The top 10 stand out.
    expect(await page.locator('#venue-map circle.venue.top').count()).toBe(10);

    // Hover: name, city and count, as text (the hostile name stays inert). In Europe: on the world map
    // London's circle covers Paris.
    await page.getByRole('button', { name: 'Europe' }).click();
    const hostile = page.locator('#venue-map circle.venue', { has: page.locator('title', { hasText: HOSTILE }) });
    await hostile.hover();
    const tooltip = page.locator('#venue-map .map-tooltip');
    await expect.poll(() => tooltip.getAttribute('visibility')).toBe('visible');
    expect(await tooltip.locator('.tip-name').textContent()).toBe(HOSTILE);
    const detail = (await tooltip.locator('.tip-detail').textContent()) ?? '';
    expect(detail.startsWith(HOSTILE_CITY.slice(0, 20))).toBe(true);
    expect(detail).toMatch(/ · [\d,]+ RSVPs · #\d+$/);
    expect(await page.locator('#venue-map .map-tooltip img, #venue-map .map-tooltip script').count()).toBe(0);
    await page.locator('.map-card').screenshot({ path: 'test-artifacts/dashboard-europe.png' });
    await page.mouse.move(5, 5);
    await expect.poll(() => tooltip.getAttribute('visibility')).toBe('hidden');

    // Keyboard: Tab reaches the map's venues (one stop), the arrow keys go from venue to venue (those in
    // view, most RSVPs first: on the world map, all).
    await page.getByRole('button', { name: 'World' }).click();
    await page.locator('#map-regions button').last().focus();
    await page.keyboard.press('Tab');
    const focused = () =>
      page.evaluate(() => {
        const active = document.activeElement as SVGCircleElement | null;
        return { rank: active?.dataset.rank, title: active?.querySelector('title')?.textContent ?? '' };
      });
    expect((await focused()).rank).toBe('1');
    await expect.poll(() => tooltip.getAttribute('visibility')).toBe('visible');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const third = await focused();
    expect(third.rank).toBe('3');
    const [name, rest] = third.title.split(' — ') as [string, string];
    expect(await tooltip.locator('.tip-name').textContent()).toBe(name);
    expect(await tooltip.locator('.tip-detail').textContent()).toContain(`${rest.split(':')[0]} · `);
    await page.keyboard.press('Escape');
    await expect.poll(() => tooltip.getAttribute('visibility')).toBe('hidden');

    // Regions: Europe shows Berlin and hides Sydney; the world shows both again.
    const shown = (name: string) =>
      page
        .locator('#venue-map circle.venue', { has: page.locator('title', { hasText: new RegExp(`^${name} — `) }) })
        .evaluate((circle) => !circle.classList.contains('outside'));
    await page.getByRole('button', { name: 'Europe' }).click();
    await expect.poll(() => page.locator('#venue-map').getAttribute('data-region')).toBe('europe');
    expect(await page.getByRole('button', { name: 'Europe' }).getAttribute('aria-pressed')).toBe('true');
    expect([await shown('Betahaus'), await shown('Fishburners')]).toEqual([true, false]);
    await page.getByRole('button', { name: 'World' }).click();
    expect([await shown('Betahaus'), await shown('Fishburners')]).toEqual([true, true]);

    // The wheel zooms in where the pointer is (and the view is no preset region any more).
    const box = (await page.locator('#venue-map').boundingBox()) as { x: number; y: number; width: number };
    await page.mouse.move(box.x + box.width / 2, box.y + 100);
    await page.mouse.wheel(0, -600);
    await expect.poll(() => page.locator('#venue-map').getAttribute('data-region')).toBeNull();
    expect(await page.getByRole('button', { name: 'World' }).getAttribute('aria-pressed')).toBe('false');
    await expect.poll(() => shown('Fishburners')).toBe(false);
    await page.getByRole('button', { name: 'World' }).click();

    // The window picker: the current 1m window's venues in the table and on the map, then all time again.
    const tableVenues = () => page.locator('#top-venues tbody td.venue').allTextContents();
    await page.getByRole('button', { name: '1m' }).click();
    await expect.poll(tableVenues, { timeout: 5000 }).toEqual(['Shibuya Hikarie', 'Betahaus', 'Fishburners']);
    expect(await page.locator('#top-venues tbody td.count').allTextContents()).toEqual(['9', '7', '4']);
    await expect.poll(() => venues.count()).toBe(3);
    expect(await page.locator('#table-title .scope').textContent()).toBe('current 1m window');
    expect(await page.locator('.cities-window').first().textContent()).toBe('1m');
    await page.getByRole('button', { name: 'All time' }).click();
    await expect.poll(() => page.locator('#top-venues tbody tr:not(.empty)').count()).toBe(12);
    await expect.poll(() => venues.count()).toBe(PLACES.length);
    expect(await page.locator('#table-title .scope').textContent()).toBe('all time');

    expect(problems).toEqual([]);
    await page.close();
  });

  it('works from another machine over plain HTTP (http://dash.test:<port>/, not loopback to the browser): live updates', async () => {
    const port = (server.address() as AddressInfo).port;
    const origin = `http://dash.test:${port}`;
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
    page.on('request', (request) => requests.push(request.url()));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        const w = window as unknown as { __csp?: string[] };
        w.__csp = [...(w.__csp ?? []), `${event.violatedDirective} ${event.blockedURI}`];
      });
    });
    const response = await page.goto(`${origin}/`);
    expect(response?.status()).toBe(200);
    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);

    const rows = page.locator('#top-venues tbody tr:not(.empty)');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(12);
    await expect.poll(() => page.locator('#status').getAttribute('data-state')).toBe('live');
    const total = async () => Number((await page.locator('#total').textContent())?.replaceAll(',', ''));
    const before = await total();
    await expect.poll(total, { timeout: 5000 }).toBeGreaterThan(before);
    expect(response?.headers()['content-security-policy']).not.toContain('upgrade-insecure-requests');

    for (const request of requests) expect(request.startsWith(`${origin}/`), request).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('stops sampling when the app is closed: no timer left behind', async () => {
    expect(app.liveFeed.active).toBe(true);
    app.closeStreams();
    await expect.poll(() => app.liveFeed.active).toBe(false);
    const polls = app.liveFeed.polls;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(app.liveFeed.polls).toBe(polls);
  });

  it('serves a map front-end on another origin (--cors-origin): it fetches the GeoJSON and follows /api/live', async () => {
    // The front-end's own server: a blank page at http://map.test:<port>/ (and the same at other.test).
    const front = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>map</title>'),
    );
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const frontPort = (front.address() as AddressInfo).port;
    const mapOrigin = `http://map.test:${frontPort}`;
    const api = createApp({ query: counts, windows: [], live: { intervalMs: 100 }, corsOrigins: [mapOrigin] });
    const apiServer = await new Promise<Server>((resolve) => {
      const s = api.listen(0, '127.0.0.1', () => resolve(s));
    });
    const apiOrigin = `http://dash.test:${(apiServer.address() as AddressInfo).port}`;
    const readApi = (apiUrl: string) =>
      new Promise<{ features: number; first: string; totals: number[] } | { error: string }>((resolve) => {
        const fail = (error: unknown) => resolve({ error: String(error) });
        fetch(`${apiUrl}/api/venues.geojson?limit=5`)
          .then((response) => response.json())
          .then((collection: { features: { properties: { venue_name: string } }[] }) => {
            const totals: number[] = [];
            const live = new EventSource(`${apiUrl}/api/live`);
            live.onmessage = (event) => {
              totals.push((JSON.parse(event.data) as { total: number }).total);
              if (totals.length === 3) {
                live.close();
                const first = collection.features[0]?.properties.venue_name ?? '';
                resolve({ features: collection.features.length, first, totals });
              }
            };
            live.onerror = () => {
              live.close();
              fail('EventSource failed');
            };
          })
          .catch(fail);
      });
    try {
      const page = await browser.newPage();
      await page.goto(`${mapOrigin}/`);
      const seen = await page.evaluate(readApi, apiOrigin);
      expect(seen).toMatchObject({ features: 5, first: expect.any(String) });
      const totals = 'totals' in seen ? seen.totals : [];
      expect(totals).toHaveLength(3);
      expect(totals.every((t) => t > 0)).toBe(true);

      // A page of an origin that is not listed cannot read it.
      await page.goto(`http://other.test:${frontPort}/`);
      expect(await page.evaluate(readApi, apiOrigin)).toEqual({ error: 'TypeError: Failed to fetch' });
      await page.close();
    } finally {
      api.closeStreams();
      apiServer.closeAllConnections();
      await new Promise((resolve) => apiServer.close(resolve));
      front.closeAllConnections();
      await new Promise((resolve) => front.close(resolve));
    }
  });
});
