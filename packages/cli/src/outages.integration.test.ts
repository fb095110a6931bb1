import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readConfig } from './config.js';
import { createContainer } from './container.js';
import { startServe } from './roles.js';
import {
  applied,
  contactPoints,
  drained,
  dropKeyspaces,
  expectExact,
  killProcessors,
  scenario,
  spawnProcessor,
  stack,
  waitFor,
} from './testing/real-pipeline.js';

afterEach(killProcessors);
afterAll(async () => {
  await stack('up'); // whatever a failed test left down
  await dropKeyspaces();
});

const ready = async (url: string) => (await fetch(`${url}/readyz`)).status;

describe('server outages (real servers, loopback)', () => {
  it('rides out Cassandra stopped for 30 s mid-stream: /readyz says 503, then everything recovers, counts exact', async () => {
    const s = await scenario();
    const config = readConfig({
      store: 'cassandra',
      cassandraKeyspace: s.keyspace,
      cassandraContactPoints: contactPoints.join(','),
      port: '0',
      logLevel: 'silent',
    });
    const container = await createContainer(config, pino({ level: 'silent' }));
    const api = await startServe(container);
    expect(await ready(api.url as string)).toBe(200);

    spawnProcessor(s);
    await waitFor('progress', async () => (await applied(s)) > 500);
    await stack('down', 'cassandra');
    const downAt = Date.now();
    expect(await ready(api.url as string)).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 30_000 - (Date.now() - downAt))));
    expect(await ready(api.url as string)).toBe(503);

    await stack('up', 'cassandra');
    const upAt = Date.now();
    await waitFor('/readyz to recover', async () => (await ready(api.url as string)) === 200, 60_000);
    const readyAfter = Date.now() - upAt;
    const before = await applied(s);
    await waitFor('processing to resume', async () => (await applied(s)) > before || before === s.produced, 120_000);
    const resumedAfter = Date.now() - upAt;
    await drained(s);
    await expectExact(s);
    console.info(`Cassandra back: /readyz 200 after ${readyAfter} ms, processing resumed after ${resumedAfter} ms`);
    await api.stop();
    await container.unbindAllAsync();
  }, 240_000);
});
