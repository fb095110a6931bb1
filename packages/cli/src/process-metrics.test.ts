import type { Tallies } from '@rsvp/core';
import { recordedDataPath } from '@rsvp/testkit';
import type { Container } from 'inversify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type RawOptions, readConfig } from './config.js';
import { createContainer } from './container.js';
import { RsvpMetrics } from './metrics.js';
import { type RunningRole, startProcess } from './roles.js';

let container: Container | undefined;
let running: RunningRole | undefined;
afterEach(async () => {
  await running?.stop();
  await container?.unbindAllAsync();
  running = undefined;
  container = undefined;
});

interface Summary {
  tallies: Tallies;
  durationMs: number;
  perSecond: number;
}

async function processRole(raw: RawOptions): Promise<{ running: RunningRole; summary: Promise<Summary> }> {
  container = await createContainer(readConfig({ logLevel: 'silent', ...raw }), pino({ level: 'silent' }));
  let print: (summary: Summary) => void = () => {};
  const summary = new Promise<Summary>((resolve) => {
    print = resolve;
  });
  running = await startProcess(container, (line) => print(JSON.parse(line)));
  return { running, summary };
}

/** `rsvp_records_total` as `outcome/reason → n`, and the sum of `rsvp_batch_records`. */
function parse(text: string): { records: Map<string, number>; batched: number } {
  const records = new Map<string, number>();
  for (const [, outcome, reason, n] of text.matchAll(
    /^rsvp_records_total\{outcome="(\w+)",reason="(\w*)"\} (\d+)$/gm,
  )) {
    records.set(`${outcome}/${reason}`, Number(n));
  }
  const batched = Number(/^rsvp_batch_records_sum (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
  return { records, batched };
}

const scrape = async (url: string | undefined) => {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parse(await response.text());
};

const sum = (records: Map<string, number>) => [...records.values()].reduce((a, b) => a + b, 0);

describe('rsvp process --metrics-port', () => {
  it('serves /metrics on 127.0.0.1 whose counters add up to the summary, record by record', async () => {
    const { running, summary } = await processRole({
      replay: recordedDataPath('meetup.json'),
      metricsPort: '0',
      batchSize: '100',
    });
    expect(running.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await running.done;
    const { tallies, durationMs, perSecond } = await summary;
    expect(durationMs).toBeGreaterThan(0);
    expect(perSecond).toBeGreaterThan(0);
    expect(tallies.received).toBe(1542);

    // The server outlives the input: a last scrape sees every record, each once, where it went.
    const { records, batched } = await scrape(running.metricsUrl);
    expect(sum(records)).toBe(1542);
    expect(batched).toBe(1542);
    const expected = new Map<string, number>([['applied/', tallies.counted]]);
    for (const [reason, n] of Object.entries(tallies.filtered)) expected.set(`filtered/${reason}`, n);
    for (const [reason, n] of Object.entries(tallies.deadLettered)) expected.set(`dead_lettered/${reason}`, n);
    expect(records).toEqual(expected);
    expect(records.get('dead_lettered/invalid_json')).toBe(6);

    expect((await fetch(`${running.metricsUrl}/api/data`)).status).toBe(404);
    expect((await fetch(`${running.metricsUrl}/metrics`, { method: 'POST' })).status).toBe(405);
    const url = running.metricsUrl;
    await container?.unbindAllAsync();
    container = undefined;
    await expect(fetch(`${url}/metrics`)).rejects.toThrow(); // closed with the container
  });

  it('serves them live while the processor runs, and the last scrape matches the summary', async () => {
    const { running, summary } = await processRole({ rate: '2000', metricsPort: '0', batchSize: '20' });
    let seen = 0;
    for (let attempt = 0; attempt < 100 && seen < 100; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      seen = sum((await scrape(running.metricsUrl)).records);
    }
    expect(seen).toBeGreaterThanOrEqual(100);
    await running.stop();
    await running.done;
    const { records, batched } = await scrape(running.metricsUrl);
    expect(sum(records)).toBe((await summary).tallies.received);
    expect(batched).toBe(sum(records));
  });

  it('is off by default', async () => {
    const { running } = await processRole({ count: '10', rate: '1000000' });
    expect(running.metricsUrl).toBeUndefined();
    await running.done;
  });
});

describe('rsvp_consumer_lag', () => {
  it('reports the partitions the source owns at each scrape, and no others', async () => {
    const metrics = new RsvpMetrics();
    let owned = [
      { topic: 'rsvps', partition: 0, lag: 12 },
      { topic: 'rsvps', partition: 1, lag: 0 },
    ];
    metrics.watchConsumerLag(() => owned);
    const lags = async () =>
      [...(await metrics.registry.metrics()).matchAll(/^rsvp_consumer_lag\{(.*)\} (\d+)$/gm)].map(
        ([, l, n]) => `${l}=${n}`,
      );
    expect(await lags()).toEqual(['topic="rsvps",partition="0"=12', 'topic="rsvps",partition="1"=0']);
    owned = [{ topic: 'rsvps', partition: 1, lag: 3 }]; // partition 0 went to another member
    expect(await lags()).toEqual(['topic="rsvps",partition="1"=3']);
  });
});
