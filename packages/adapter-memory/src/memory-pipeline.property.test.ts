import {
  type AggregationSettings,
  addTallies,
  emptyTallies,
  isAccountedFor,
  Pipeline,
  type PipelineSettings,
  type Rsvp,
  type SourceRecord,
  serializeRsvp,
  sumOf,
  type Tallies,
  windowStartsContaining,
} from '@rsvp/core';
import { countingOracle, invalidMessage, smallWorldRsvp } from '@rsvp/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';
import { MemoryCountStore } from './memory-count-store.js';
import { MemoryDeadLetterSink } from './memory-dead-letter-sink.js';

const BASE = 1_489_925_000_000;
const rsvp = smallWorldRsvp({ baseMtime: BASE, spanMs: 300_000, stepMs: 5_000 });

type Message = { kind: 'valid'; rsvp: Rsvp } | { kind: 'invalid'; value: Uint8Array | string | null };
const message: fc.Arbitrary<Message> = fc.oneof(
  { weight: 6, arbitrary: rsvp.map((r) => ({ kind: 'valid' as const, rsvp: r })) },
  { weight: 1, arbitrary: invalidMessage(rsvp).map((value) => ({ kind: 'invalid' as const, value })) },
);

/** How delivery goes wrong: each step delivers the next batch of a partition, maybe re-sending or restarting. */
const step = fc.record({
  partition: fc.nat(),
  size: fc.integer({ min: 1, max: 8 }),
  /** Re-send this many already-applied records first, as a consumer that lost its commit would. */
  resend: fc.nat(6),
  /** Forget the processor (a crash or restart) before this step. */
  restart: fc.boolean(),
});

const settings = fc.record({
  maxOutOfOrdernessMs: fc.constantFrom(0, 10_000, 45_000),
  allowedLatenessMs: fc.constantFrom(0, 30_000, 600_000),
  // Small bounds make partitions forget RSVP states and read them back from the store.
  maxHeldRsvps: fc.constantFrom(1, 4, 100_000),
});

const WINDOWS = [
  { name: '1m', sizeMs: 60_000, slideMs: 60_000 },
  { name: '2m', sizeMs: 120_000, slideMs: 30_000 },
  // The slide does not divide the size: panes of gcd(100 s, 40 s) = 20 s.
  { name: '100s', sizeMs: 100_000, slideMs: 40_000 },
];

function partitionOf(m: Message, index: number, partitions: number): number {
  // Like a Kafka key: every message of one RSVP goes to one partition; broken ones spread.
  return (m.kind === 'valid' ? m.rsvp.rsvpId : index) % partitions;
}

describe('the in-memory pipeline', () => {
  it('stores exactly the oracle counts, all-time and per window, whatever the batching, redelivery and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(message, { maxLength: 60 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(step, { maxLength: 80 }),
        settings,
        async (messages, partitionCount, steps, timing) => {
          const pipelineSettings: PipelineSettings = {
            windows: WINDOWS,
            ...timing,
            maxMessageBytes: 64 * 1024,
            maxEventTimeAheadMs: 0,
          };
          const streams = new Map<string, (Uint8Array | string | null)[]>();
          for (let p = 0; p < partitionCount; p++) streams.set(`t:${p}`, []);
          messages.forEach((m, i) => {
            const value = m.kind === 'valid' ? serializeRsvp(m.rsvp) : m.value;
            streams.get(`t:${partitionOf(m, i, partitionCount)}`)?.push(value);
          });

          const store = new MemoryCountStore();
          const deadLetters = new MemoryDeadLetterSink();
          const clock = new ManualClock(BASE + 300_000);
          const newPipeline = () => new Pipeline({ store, deadLetters, clock }, pipelineSettings);
          let pipeline = newPipeline();
          const tallies: Tallies[] = [];
          const delivered = new Map<string, number>(); // what each partition's consumer has acknowledged
          let resent = 0;

          const deliver = async (partition: string, from: number, to: number) => {
            const values = streams.get(partition) ?? [];
            const records: SourceRecord[] = [];
            for (let offset = from; offset < Math.min(to, values.length); offset++) {
              records.push({ offset, value: values[offset] ?? null });
            }
            if (records.length > 0) tallies.push(await pipeline.handleBatch({ partition, records }));
          };

          // Arbitrary steps first, then drain every partition in order.
          const drain = [...streams.keys()].map((_, p) => ({ partition: p, size: 1_000, resend: 0, restart: false }));
          for (const s of [...steps, ...drain]) {
            if (s.restart) pipeline = newPipeline();
            const partition = `t:${s.partition % partitionCount}`;
            const acked = delivered.get(partition) ?? 0;
            const resendFrom = Math.max(0, acked - s.resend);
            resent += Math.min(acked, (streams.get(partition) ?? []).length) - resendFrom;
            await deliver(partition, resendFrom, acked + s.size);
            delivered.set(partition, Math.min(acked + s.size, (streams.get(partition) ?? []).length));
          }

          const aggregation: AggregationSettings = { windows: WINDOWS, ...timing };
          const oracle = countingOracle({
            partitions: streams,
            settings: aggregation,
            latestAllowedMtime: clock.now(),
          });
          expect(await store.topVenues({})).toEqual(oracle.allTime);
          for (const [key, rows] of oracle.windows) {
            const [name = '', start] = key.split('@');
            const spec = WINDOWS.find((w) => w.name === name) as (typeof WINDOWS)[number];
            expect(await store.topVenues({ window: { ...spec, start: Number(start) } }), key).toEqual(rows);
          }
          // No window outside the oracle's holds anything.
          for (const m of messages) {
            if (m.kind !== 'valid') continue;
            for (const spec of WINDOWS) {
              for (const start of windowStartsContaining(spec, m.rsvp.mtime - spec.sizeMs)) {
                if (!oracle.windows.has(`${spec.name}@${start}`)) {
                  expect(await store.topVenues({ window: { ...spec, start } })).toEqual([]);
                }
              }
            }
          }

          // Every record is accounted for exactly once.
          const total = emptyTallies();
          for (const t of tallies) addTallies(total, t);
          expect(isAccountedFor(total)).toBe(true);
          expect(total.received).toBe(messages.length + resent);
          expect(total.filtered.redelivered ?? 0).toBe(resent);
          expect(sumOf(total.deadLettered)).toBe(oracle.invalid);
          expect(total.counted + (total.filtered.superseded ?? 0)).toBe(oracle.valid);
          expect(deadLetters.written).toBe(oracle.invalid);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
