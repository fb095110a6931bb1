import {
  addTallies,
  emptyTallies,
  isAccountedFor,
  Pipeline,
  type PipelineSettings,
  RSVP_BUCKET_IDS,
  type Rsvp,
  serializeRsvp,
} from '@rsvp/core';
import { countingOracle, smallWorldRsvp } from '@rsvp/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';
import { MemoryCountStore } from './memory-count-store.js';
import { MemoryDeadLetterSink } from './memory-dead-letter-sink.js';

const BASE = 1_489_925_000_000;
const WINDOWS = [{ name: '1m', sizeMs: 60_000, slideMs: 60_000 }];

/** RSVPs over several buckets (ids a third of a bucket apart), over 20 minutes, some for an event later on. */
const rsvp: fc.Arbitrary<Rsvp> = fc
  .tuple(
    smallWorldRsvp({ baseMtime: BASE, spanMs: 1_200_000, stepMs: 10_000 }),
    fc.option(fc.integer({ min: 0, max: 1_800_000 }), { nil: null }),
  )
  .map(([r, eventIn]) => ({
    ...r,
    rsvpId: r.rsvpId * Math.floor(RSVP_BUCKET_IDS / 3),
    event: { ...r.event, time: eventIn === null ? null : r.mtime + eventIn },
  }));

describe('RSVP retention', () => {
  it('counts exactly what the plain rule says, expires the rest under its own reason, whatever the batching, restarts and held states', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rsvp, { maxLength: 50 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.record({ partition: fc.nat(), size: fc.integer({ min: 1, max: 8 }), restart: fc.boolean() }), {
          maxLength: 30,
        }),
        fc.record({
          rsvpRetentionMs: fc.constantFrom(60_000, 300_000, 900_000),
          maxOutOfOrdernessMs: fc.constantFrom(0, 30_000),
          maxHeldRsvps: fc.constantFrom(1, 100_000),
        }),
        async (rsvps, partitionCount, steps, timing) => {
          const settings: PipelineSettings = {
            windows: WINDOWS,
            allowedLatenessMs: 30_000,
            maxMessageBytes: 64 * 1024,
            maxEventTimeAheadMs: 0,
            ...timing,
          };
          const streams = new Map<string, string[]>();
          for (let p = 0; p < partitionCount; p++) streams.set(`t:${p}`, []);
          for (const r of rsvps) streams.get(`t:${r.rsvpId % partitionCount}`)?.push(serializeRsvp(r));

          const store = new MemoryCountStore();
          const deps = { store, deadLetters: new MemoryDeadLetterSink(), clock: new ManualClock(BASE + 3_600_000) };
          let pipeline = new Pipeline(deps, settings);
          const total = emptyTallies();
          const delivered = new Map<string, number>();
          const drain = [...streams.keys()].map((_, p) => ({ partition: p, size: 1_000, restart: false }));
          for (const s of [...steps, ...drain]) {
            if (s.restart) pipeline = new Pipeline(deps, settings);
            const partition = `t:${s.partition % partitionCount}`;
            const from = delivered.get(partition) ?? 0;
            const values = (streams.get(partition) ?? []).slice(from, from + s.size);
            if (values.length === 0) continue;
            const records = values.map((value, i) => ({ offset: from + i, value }));
            addTallies(total, await pipeline.handleBatch({ partition, records }));
            delivered.set(partition, from + values.length);
          }

          const oracle = countingOracle({ partitions: streams, settings });
          expect(await store.topVenues({})).toEqual(oracle.allTime);
          for (const [key, rows] of oracle.windows) {
            const start = Number(key.split('@')[1]);
            expect(await store.topVenues({ window: { ...(WINDOWS[0] as (typeof WINDOWS)[0]), start } })).toEqual(rows);
          }
          expect(isAccountedFor(total)).toBe(true);
          expect(total.filtered.expired ?? 0).toBe(oracle.expired);
          expect(total.counted + (total.filtered.superseded ?? 0) + (total.filtered.expired ?? 0)).toBe(oracle.valid);
          // What expired is gone from the store: no bucket is kept past its retention.
          for (const partition of streams.keys()) {
            const snapshot = await store.load(partition);
            const watermark = (snapshot.maxEventTime ?? 0) - settings.maxOutOfOrdernessMs;
            for (const bucket of snapshot.rsvpBuckets ?? []) {
              expect(bucket.latest + timing.rsvpRetentionMs).toBeGreaterThanOrEqual(watermark);
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('expires an RSVP changed after its retention, and does not count it twice', async () => {
    const store = new MemoryCountStore();
    const settings: PipelineSettings = {
      windows: WINDOWS,
      allowedLatenessMs: 0,
      maxOutOfOrdernessMs: 0,
      maxMessageBytes: 64 * 1024,
      maxEventTimeAheadMs: 0,
      maxHeldRsvps: 1,
      rsvpRetentionMs: 60_000,
    };
    const pipeline = new Pipeline(
      { store, deadLetters: new MemoryDeadLetterSink(), clock: new ManualClock(BASE + 3_600_000) },
      settings,
    );
    const [sample] = fc.sample(rsvp, { numRuns: 1, seed: 3 }) as [Rsvp];
    const venue = { venueId: 1, venueName: 'Hall', lat: 1, lon: 2 };
    const at = (rsvpId: number, mtime: number, response: 'yes' | 'no') =>
      serializeRsvp({ ...sample, rsvpId, mtime, response, venue, event: { ...sample.event, time: null } });
    const old = RSVP_BUCKET_IDS; // bucket 1
    const tallies = await pipeline.handleBatch({
      partition: 'p',
      records: [
        { offset: 0, value: at(old, BASE, 'yes') },
        { offset: 1, value: at(old * 3, BASE + 120_000, 'yes') }, // bucket 3: the watermark passes bucket 1's retention
        { offset: 2, value: at(old, BASE + 130_000, 'no') }, // too late to take back
        { offset: 3, value: at(old * 2, BASE + 130_000, 'yes') }, // bucket 2 never seen, and no newer bucket has expired: counted
        { offset: 4, value: at(old - 1, BASE + 130_000, 'yes') }, // bucket 0 never seen, older than expired bucket 1
      ],
    });
    expect(tallies.filtered.expired).toBe(2);
    expect(tallies.counted).toBe(3);
    expect((await store.topVenues({}))[0]?.count).toBe(3);
    expect((await store.load('p')).rsvpBuckets?.map((b) => b.bucket).sort()).toEqual([2, 3]);
  });
});
