import type { ChildProcess } from 'node:child_process';
import { KafkaEventSource, partitionId } from '@rsvp/adapter-kafka';
import { type BatchConsumer, DEFAULT_PIPELINE_SETTINGS, Pipeline } from '@rsvp/core';
import { toOriginalRow } from '@rsvp/http-express';
import { countingOracle, readTopic, waitFor } from '@rsvp/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  applied,
  drained,
  dropKeyspaces,
  expectCleanExit,
  expectExact,
  kafka,
  killAfterProgress,
  killProcessors,
  scenario,
  serveScenario,
  spawnProcessor,
  stopProcessor,
} from '../test/real-pipeline.js';
import { systemClock } from './system-clock.js';

afterEach(killProcessors);
afterAll(dropKeyspaces);

describe('exactly-once counts on real Kafka and Cassandra', () => {
  it('survives a processor killed with SIGKILL again and again, and serves the exact counts', async () => {
    const s = await scenario();
    for (const records of [300, 700, 1_100, 1_500]) {
      await killAfterProgress(s, spawnProcessor(s), records);
    }
    spawnProcessor(s);
    await drained(s);
    // The 6 broken lines of meetup.json, invalid UTF-8 and a tombstone.
    expect(await expectExact(s)).toEqual({ rejects: 8 });

    const api = await serveScenario(s);
    const rows = await (await fetch(`${api.url}/api/data`)).json();
    expect(rows).toEqual((await s.store.topVenues({})).map(toOriginalRow));
    await api.stop();
  });

  it('filters the redelivery of a batch applied but not acknowledged to Kafka', async () => {
    const s = await scenario();
    const pipeline = new Pipeline({ store: s.store, deadLetters: { write: async () => {} }, clock: systemClock });
    let batches = 0;
    const crashing: BatchConsumer = {
      async handleBatch(batch) {
        await pipeline.handleBatch(batch);
        if (++batches === 3) {
          pipeline.releasePartitions([batch.partition]); // as a restarted process would, it forgets
          throw new Error('crash after the store commit, before the Kafka commit');
        }
      },
      releasePartitions: (partitions) => pipeline.releasePartitions(partitions),
    };
    const source = new KafkaEventSource(kafka, { topic: s.topic, groupId: s.group, maxBatchRecords: 40 });
    const running = source.run(crashing);
    await drained(s);
    await source.stop();
    await running;
    expect(pipeline.tallies().filtered.redelivered).toBeGreaterThan(0);
    // The test's dead-letter sink dropped the letters; the counts must be exact regardless.
    const topic = await readTopic(kafka, s.topic);
    const streams = new Map([...topic].map(([p, messages]) => [partitionId(s.topic, p), messages.map((m) => m.value)]));
    expect(await s.store.topVenues({})).toEqual(
      countingOracle({ partitions: streams, settings: DEFAULT_PIPELINE_SETTINGS }).allTime,
    );
  });

  it('stays exact with three processors in one group, one leaving and one joining mid-stream', async () => {
    const s = await scenario();
    const group = [spawnProcessor(s), spawnProcessor(s), spawnProcessor(s)];
    const leaving = await killAfterProgress(s, group[1] as ChildProcess, 800, 'SIGTERM');
    group.push(spawnProcessor(s));
    await drained(s);
    await expectExact(s);

    // Every member stops cleanly on SIGTERM, within a bounded time, having accounted for all it received.
    const exits = [
      leaving,
      ...(await Promise.all([0, 2, 3].map((i) => stopProcessor(group[i] as ChildProcess, 'SIGTERM')))),
    ];
    const tallies = exits.map(expectCleanExit);
    for (const exit of exits) expect(exit.ms).toBeLessThan(20_000);
    const total = tallies.reduce((sum, t) => sum + t.received, 0);
    expect(total).toBeGreaterThanOrEqual(s.produced); // redeliveries after the rebalance come on top
    console.info(`SIGTERM to exit: ${exits.map((e) => `${e.ms} ms`).join(', ')}`);
  });

  it('fences a paused processor whose partitions were reassigned (a zombie)', async () => {
    const s = await scenario();
    const zombie = spawnProcessor(s);
    const before = await applied(s);
    await waitFor('progress', async () => (await applied(s)) > before + 200);
    zombie.kill('SIGSTOP');
    spawnProcessor(s);
    const paused = await applied(s);
    await waitFor('the other member to take over', async () => (await applied(s)) > paused + 500);
    zombie.kill('SIGCONT');
    await drained(s);
    await expectExact(s);
  });
});
