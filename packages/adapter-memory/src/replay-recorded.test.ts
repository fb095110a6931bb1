import { DEFAULT_PIPELINE_SETTINGS, isAccountedFor, Pipeline, type WindowSpec } from '@rsvp/core';
import { countingOracle, recordedDataPath, recordedLines } from '@rsvp/testkit';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';
import { MemoryCountStore } from './memory-count-store.js';
import { MemoryDeadLetterSink } from './memory-dead-letter-sink.js';
import { MemoryEventSource } from './memory-event-source.js';
import { readNdjsonLines } from './ndjson-file.js';

async function replay(file: 'meetup.json' | 'meetup-rsvps.ndjson') {
  const store = new MemoryCountStore();
  const deadLetters = new MemoryDeadLetterSink();
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const pipeline = new Pipeline({ store, deadLetters, clock });
  const source = new MemoryEventSource({ messages: readNdjsonLines(recordedDataPath(file)), batchSize: 97 });
  await source.run(pipeline);
  const lines = recordedLines(file);
  const oracle = countingOracle({
    partitions: new Map([[source.partition, lines]]),
    settings: DEFAULT_PIPELINE_SETTINGS,
  });
  return { store, deadLetters, tallies: pipeline.tallies(), oracle, lines };
}

describe('replaying the recorded RSVPs', () => {
  it("counts the original system's sample exactly: 681 RSVPs whose latest message is a yes at a venue", async () => {
    const { store, deadLetters, tallies, oracle } = await replay('meetup.json');
    const rows = await store.topVenues({});
    expect(rows).toEqual(oracle.allTime);
    expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe(681);
    expect(tallies).toMatchObject({ received: 1542, deadLettered: { invalid_json: 6 } });
    expect(isAccountedFor(tallies)).toBe(true);
    expect(deadLetters.letters.map((l) => l.offset + 1)).toEqual([1, 2, 3, 4, 5, 1542]);
    for (const letter of deadLetters.letters) expect(letter.problems[0]?.message).toMatch(/not valid JSON/);
  });

  it('counts the merged corpus exactly, all-time and in every window', async () => {
    const { store, tallies, oracle } = await replay('meetup-rsvps.ndjson');
    expect(await store.topVenues({})).toEqual(oracle.allTime);
    for (const [key, rows] of oracle.windows) {
      const [name = '', start] = key.split('@');
      const spec = DEFAULT_PIPELINE_SETTINGS.windows.find((w) => w.name === name) as WindowSpec;
      expect(await store.topVenues({ window: { ...spec, start: Number(start) } })).toEqual(rows);
    }
    expect(tallies.received).toBe(5583);
    expect(tallies.counted + (tallies.filtered.superseded ?? 0)).toBe(5583);
    expect(tallies.late).toBeGreaterThan(0); // the corpus is not in mtime order
  });
});
