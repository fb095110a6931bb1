import { DEFAULT_PIPELINE_SETTINGS, isAccountedFor, Pipeline, parseRsvp, serializeRsvp, sumOf } from '@rsvp/core';
import { countingOracle, malformedMessage, smallWorldRsvp } from '@rsvp/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';
import { MemoryCountStore } from './memory-count-store.js';
import { MemoryDeadLetterSink } from './memory-dead-letter-sink.js';

const BASE = 1_489_925_000_000;
const valid = smallWorldRsvp({ baseMtime: BASE, spanMs: 600_000, stepMs: 1_000 });
const isValid = (value: Uint8Array | string | null) => value !== null && parseRsvp(value).ok;

describe('bad input through the whole pipeline', () => {
  it('never stops on data: every record is counted, filtered or dead-lettered with its reasons (10,000 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(malformedMessage(valid), valid.map(serializeRsvp)), { minLength: 1, maxLength: 4 }),
        async (values) => {
          const store = new MemoryCountStore();
          const deadLetters = new MemoryDeadLetterSink();
          const pipeline = new Pipeline({ store, deadLetters, clock: new ManualClock(BASE + 600_000) });
          const records = values.map((value, offset) => ({ offset, value }));
          const tallies = await pipeline.handleBatch({ partition: 'p', records });

          expect(isAccountedFor(tallies)).toBe(true);
          expect(tallies.received).toBe(values.length);
          const rejected = values.filter((v) => !isValid(v)).length;
          expect(sumOf(tallies.deadLettered)).toBe(rejected);
          expect(deadLetters.letters.map((l) => l.value)).toEqual(values.filter((v) => !isValid(v)));
          for (const letter of deadLetters.letters) expect(letter.problems.length).toBeGreaterThan(0);
          expect((await store.load('p')).nextOffset).toBe(values.length);
          const oracle = countingOracle({ partitions: new Map([['p', values]]), settings: DEFAULT_PIPELINE_SETTINGS });
          expect(await store.topVenues({})).toEqual(oracle.allTime);
        },
      ),
      { numRuns: 10_000 },
    );
  }, 120_000);

  it('does not lose a reject while the dead-letter sink is down: nothing is committed until it is written', async () => {
    const store = new MemoryCountStore();
    const sink = new MemoryDeadLetterSink();
    let failures = 2;
    const flaky = {
      write: async (letters: Parameters<MemoryDeadLetterSink['write']>[0]) => {
        if (failures-- > 0) throw new Error('dead-letter topic unavailable');
        await sink.write(letters);
      },
    };
    const pipeline = new Pipeline({ store, deadLetters: flaky, clock: new ManualClock(BASE + 600_000) });
    const batch = {
      partition: 'p',
      records: [
        { offset: 0, value: 'not json' },
        { offset: 1, value: null },
      ],
    };
    await expect(pipeline.handleBatch(batch)).rejects.toThrow('unavailable');
    await expect(pipeline.handleBatch(batch)).rejects.toThrow('unavailable');
    expect((await store.load('p')).nextOffset).toBe(0); // the source must deliver the batch again
    await pipeline.handleBatch(batch);
    expect(sink.letters.map((l) => l.offset)).toEqual([0, 1]);
    expect((await store.load('p')).nextOffset).toBe(2);
    expect(pipeline.tallies()).toMatchObject({ received: 2, deadLettered: { invalid_json: 1, empty_message: 1 } });
  });

  it('rejects an event time far ahead of the clock instead of letting it close every window', async () => {
    const store = new MemoryCountStore();
    const clock = new ManualClock(BASE);
    const pipeline = new Pipeline({ store, deadLetters: new MemoryDeadLetterSink(), clock });
    const future = JSON.parse(JSON.stringify(fc.sample(valid, { numRuns: 1, seed: 1 })[0]));
    future.mtime = BASE + DEFAULT_PIPELINE_SETTINGS.maxEventTimeAheadMs + 1;
    const tallies = await pipeline.handleBatch({
      partition: 'p',
      records: [{ offset: 0, value: serializeRsvp(future) }],
    });
    expect(tallies.deadLettered).toEqual({ event_time_ahead: 1 });
  });
});
