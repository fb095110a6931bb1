import { once } from 'node:events';
import { readTopic, recordedDataPath, recordedLines, waitFor } from '@rsvp/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  applied,
  drained,
  dropKeyspaces,
  expectExact,
  kafka,
  killProcessors,
  scenario,
  serveScenario,
  spawnProcessor,
  spawnProducer,
  stack,
} from '../test/real-pipeline.js';

afterEach(killProcessors);
afterAll(async () => {
  await stack('up'); // whatever a failed test left down
  await dropKeyspaces();
});

const ready = async (url: string) => (await fetch(`${url}/readyz`)).status;

describe('server outages (real servers, loopback)', () => {
  it('rides out Cassandra stopped for 30 s under a steady load: /readyz says 503, then everything recovers, counts exact', async () => {
    const started = await scenario({ prefill: false });
    const file = recordedDataPath('meetup-rsvps.ndjson');
    const lines = recordedLines('meetup-rsvps.ndjson');
    const s = { ...started, produced: lines.length };
    const api = await serveScenario(s);
    expect(await ready(api.url)).toBe(200);

    spawnProcessor(s);
    // 120 RSVPs a second for about 46 s: the producer keeps going through the outage.
    const producer = spawnProducer(s, file, 120);
    const produced = once(producer, 'exit');
    await waitFor('progress', async () => (await applied(s)) > 500);
    await stack('down', 'cassandra');
    const downAt = Date.now();
    expect(await ready(api.url)).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 30_000 - (Date.now() - downAt))));
    expect(await ready(api.url)).toBe(503);

    await stack('up', 'cassandra');
    const upAt = Date.now();
    await waitFor('/readyz to recover', async () => (await ready(api.url)) === 200, 60_000);
    const readyAfter = Date.now() - upAt;
    let before = -1;
    await waitFor('the test store to reconnect', async () => {
      before = await applied(s);
      return true;
    });
    await waitFor('processing to resume', async () => (await applied(s)) > before || before === s.produced, 120_000);
    const resumedAfter = Date.now() - upAt;
    expect((await produced)[0]).toBe(0);
    await drained(s);
    await expectExact(s);
    console.info(`Cassandra back: /readyz 200 after ${readyAfter} ms, processing resumed after ${resumedAfter} ms`);
    await api.stop();
  }, 240_000);

  it('rides out a Kafka broker restart under load: the producer loses and doubles nothing, counts exact', async () => {
    const s = await scenario({ prefill: false });
    const file = recordedDataPath('meetup-rsvps.ndjson');
    const lines = recordedLines('meetup-rsvps.ndjson');
    spawnProcessor(s);
    const producer = spawnProducer(s, file, 400);
    const exited = once(producer, 'exit');
    await waitFor('progress', async () => (await applied(s)) > 500);
    await stack('down', 'kafka');
    await stack('up', 'kafka');
    const upAt = Date.now();
    const [code] = await exited;
    expect(code).toBe(0);

    const topic = await readTopic(kafka, s.topic);
    const sent = [...topic.values()].flat().map((m) => m.value?.toString('utf8'));
    expect(sent.sort()).toEqual([...lines].sort()); // each line exactly once
    const produced = { ...s, produced: sent.length };
    const before = await applied(produced);
    await waitFor('processing to resume', async () => (await applied(produced)) > before || before === sent.length);
    console.info(`Kafka back: processing resumed within ${Date.now() - upAt} ms of the broker's return`);
    await drained(produced);
    await expectExact(produced);
  }, 240_000);
});
