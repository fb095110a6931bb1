import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VenueCountQuery, VenueRow } from '@rsvp/core';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './create-app.js';

const HOSTILE = [
  '<script>window.__pwned = "script"</script>',
  '"\'><img src=x onerror="window.__pwned = \'img\'">',
  '<svg onload="window.__pwned = \'svg\'"></svg>',
  '{{#rows}}mustache{{/rows}}',
];

const rows: VenueRow[] = HOSTILE.map((name, i) => ({
  venueId: i,
  venueName: name,
  groupCity: `</td><script>window.__pwned = "city${i}"</script>`,
  lat: '0',
  lon: '0',
  count: 10 - i,
}));

const query: VenueCountQuery = {
  topVenues: async ({ limit }) => rows.slice(0, limit),
  latestEventTime: async () => null,
};

let server: Server;
let browser: Browser;
let url: string;

beforeAll(async () => {
  server = await new Promise<Server>((resolve) => {
    const s = createApp({ query, windows: [] }).listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

describe('/api/top_venues in a real browser (Chromium)', () => {
  it('renders hostile venue and city names as inert text: no script runs', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    const response = await page.goto(`${url}/api/top_venues`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await page.waitForLoadState('load');

    expect(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(await page.locator('script, img, svg').count()).toBe(0);
    const venueCells = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(venueCells).toEqual(HOSTILE);
    await page.screenshot({ path: 'test-artifacts/top-venues.png' });
    await page.close();
  });
});
