import { DEFAULT_PIPELINE_SETTINGS } from '@rsvp/core';
import { toOriginalRow } from '@rsvp/http-express';
import { countingOracle, recordedDataPath, recordedLines } from '@rsvp/testkit';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { readConfig } from './config.js';
import { createContainer } from './container.js';
import { type RunningRole, startAll } from './roles.js';

let running: RunningRole | undefined;
afterEach(async () => {
  await running?.stop();
});

describe('rsvp all --replay meetup.json', () => {
  it("serves the exact counts of the original system's input in its exact shape", async () => {
    const file = recordedDataPath('meetup.json');
    const config = readConfig({ replay: file, port: '0', logLevel: 'silent' });
    running = await startAll(await createContainer(config, pino({ level: 'silent' })));
    const oracle = countingOracle({
      partitions: new Map([['all', recordedLines('meetup.json')]]),
      settings: DEFAULT_PIPELINE_SETTINGS,
    });
    const expected = oracle.allTime.map(toOriginalRow);

    let body: unknown;
    for (let attempt = 0; attempt < 100; attempt++) {
      body = await (await fetch(`${running.url}/api/data`)).json();
      if (JSON.stringify(body) === JSON.stringify(expected)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(body).toEqual(expected);
    const rows = body as Record<string, unknown>[];
    expect(rows.reduce((sum, row) => sum + (row.count as number), 0)).toBe(681);
    for (const row of rows) {
      expect(Object.keys(row)).toEqual(['count', 'group_city', 'lat', 'lon', 'venue_name']);
      expect([typeof row.count, typeof row.group_city, typeof row.lat, typeof row.lon, typeof row.venue_name]).toEqual([
        'number',
        'string',
        'string',
        'string',
        'string',
      ]);
    }
    const page = await (await fetch(`${running.url}/api/top_venues?limit=3`)).text();
    expect(page).toContain(`<td>${expected[0]?.venue_name}</td>`);
  });

  it('exports where every record went, and the API requests, as Prometheus metrics', async () => {
    const config = readConfig({ replay: recordedDataPath('meetup.json'), port: '0', logLevel: 'silent' });
    running = await startAll(await createContainer(config, pino({ level: 'silent' })));
    const records = (text: string) =>
      [...text.matchAll(/^rsvp_records_total\{outcome="(\w+)",reason="(\w*)"\} (\d+)$/gm)].map(
        ([, outcome, reason, n]) => ({
          outcome,
          reason,
          n: Number(n),
        }),
      );
    let text = '';
    for (let attempt = 0; attempt < 100; attempt++) {
      text = await (await fetch(`${running.url}/metrics`)).text();
      if (records(text).reduce((sum, r) => sum + r.n, 0) === 1542) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(records(text).reduce((sum, r) => sum + r.n, 0)).toBe(1542); // every line of the file
    expect(records(text)).toContainEqual({ outcome: 'dead_lettered', reason: 'invalid_json', n: 6 });
    await fetch(`${running.url}/api/data?limit=1`);
    text = await (await fetch(`${running.url}/metrics`)).text();
    expect(text).toMatch(
      /^rsvp_http_request_duration_seconds_count\{method="GET",route="\/api\/data",status="200"\} 1$/m,
    );
    expect(text).toMatch(/^rsvp_batch_duration_seconds_count \d+$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
  });

  it('passes --cors-origin and --behind-tls on to the API', async () => {
    const plain = readConfig({ count: '10', port: '0', logLevel: 'silent' });
    running = await startAll(await createContainer(plain, pino({ level: 'silent' })));
    let response = await fetch(`${running.url}/api/data`, { headers: { Origin: 'http://map.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    await running.stop();

    const config = readConfig({
      count: '10',
      port: '0',
      logLevel: 'silent',
      corsOrigin: 'http://map.example, https://other.example',
      behindTls: 'on',
    });
    running = await startAll(await createContainer(config, pino({ level: 'silent' })));
    response = await fetch(`${running.url}/api/venues.geojson`, { headers: { Origin: 'http://map.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('http://map.example');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(response.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  });
});
