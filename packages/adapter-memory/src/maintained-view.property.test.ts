import {
  type ChangeRecord,
  type CountChangeFeed,
  MaintainedVenueQuery,
  Pipeline,
  type PipelineSettings,
  type Rsvp,
  type SourceRecord,
  StaleWriterError,
  serializeRsvp,
  type TopVenuesRequest,
  windowStartsContaining,
} from '@rsvp/core';
import { smallWorldRsvp } from '@rsvp/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';
import { MemoryCountStore } from './memory-count-store.js';
import { MemoryDeadLetterSink } from './memory-dead-letter-sink.js';

const BASE = 1_489_925_000_000;
const rsvp = smallWorldRsvp({ baseMtime: BASE, spanMs: 600_000, stepMs: 5_000 });

const WINDOWS = [
  { name: '1m', sizeMs: 60_000, slideMs: 60_000 },
  { name: '2m', sizeMs: 120_000, slideMs: 30_000 },
];

/** What happens between two looks at the view. */
const step = fc.record({
  partition: fc.nat(),
  size: fc.integer({ min: 1, max: 6 }),
  /** The processor restarts before this batch. */
  restart: fc.boolean(),
  /** The processor that held the partition before wakes up and tries to commit the same records (fenced). */
  zombie: fc.boolean(),
  /** A reader process restarts: a new view reads everything again. */
  newReader: fc.boolean(),
  /** Look at the view after this step (seldom: the store prunes the records a slow reader missed). */
  look: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
});

/**
 * The store's feed as a network might deliver it: records already applied come again, and records come
 * out of order. (Missing records are the store's own doing: it keeps only a few per partition.)
 */
class UnreliableFeed implements CountChangeFeed {
  private seed: number;

  constructor(
    private readonly store: MemoryCountStore,
    seed: number,
  ) {
    this.seed = seed || 1;
  }

  partitionIds() {
    return this.store.partitionIds();
  }

  loadCounts(partition: string) {
    return this.store.loadCounts(partition);
  }

  async changesSince(partition: string, afterOffset: number): Promise<ChangeRecord[]> {
    const records = await this.store.changesSince(partition, this.random(3) === 0 ? 0 : afterOffset);
    const delivered = [...records];
    for (const record of records) if (this.random(3) === 0) delivered.push(record);
    for (let i = delivered.length - 1; i > 0; i--) {
      const j = this.random(i + 1);
      [delivered[i], delivered[j]] = [delivered[j] as ChangeRecord, delivered[i] as ChangeRecord];
    }
    return delivered;
  }

  private random(n: number): number {
    this.seed = (this.seed * 48_271) % 2_147_483_647;
    return this.seed % n;
  }
}

describe('the maintained view (MaintainedVenueQuery over the memory store)', () => {
  it('answers what a full recompute of the store answers, after arbitrary commits, fenced writers, reader restarts, and duplicated, reordered and pruned change records', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rsvp, { maxLength: 60 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(step, { maxLength: 40 }),
        fc.record({
          changesKept: fc.constantFrom(1, 2, 1_000),
          windowRetentionMs: fc.constantFrom(undefined, 180_000),
          limit: fc.constantFrom(undefined, 1, 3),
          seed: fc.integer({ min: 1, max: 2_000_000_000 }),
        }),
        async (rsvps, partitionCount, steps, options) => {
          const settings: PipelineSettings = {
            windows: WINDOWS,
            maxOutOfOrdernessMs: 10_000,
            allowedLatenessMs: 30_000,
            maxMessageBytes: 64 * 1024,
            maxHeldRsvps: 100_000,
            maxEventTimeAheadMs: 0,
          };
          const streams = new Map<string, string[]>();
          for (let p = 0; p < partitionCount; p++) streams.set(`t:${p}`, []);
          for (const r of rsvps) streams.get(`t:${r.rsvpId % partitionCount}`)?.push(serializeRsvp(r));

          const store = new MemoryCountStore({
            changesKept: options.changesKept,
            ...(options.windowRetentionMs !== undefined && { windowRetentionMs: options.windowRetentionMs }),
          });
          const clock = new ManualClock(BASE + 600_000);
          const deps = { store, deadLetters: new MemoryDeadLetterSink(), clock };
          const feed = new UnreliableFeed(store, options.seed);
          const newReader = () =>
            new MaintainedVenueQuery(feed, clock, {
              refreshMs: 50,
              ...(options.windowRetentionMs !== undefined && { windowRetentionMs: options.windowRetentionMs }),
            });
          let reader = newReader();
          let pipeline = new Pipeline(deps, settings);
          let previous = pipeline;
          const delivered = new Map<string, number>();

          const requests: TopVenuesRequest[] = [{ ...(options.limit !== undefined && { limit: options.limit }) }];
          for (const r of rsvps) {
            for (const spec of WINDOWS) {
              for (const start of windowStartsContaining(spec, r.mtime)) {
                requests.push({
                  window: { ...spec, start },
                  ...(options.limit !== undefined && { limit: options.limit }),
                });
              }
            }
          }
          const look = async () => {
            await reader.refresh();
            for (const request of requests) {
              expect(await reader.topVenues(request), JSON.stringify(request)).toEqual(await store.topVenues(request));
            }
            expect(await reader.latestEventTime()).toEqual(await store.latestEventTime());
          };

          const drain = [...streams.keys()].map((_, p) => ({
            partition: p,
            size: 1_000,
            restart: false,
            zombie: false,
            newReader: false,
            look: true,
          }));
          for (const s of [...steps, ...drain]) {
            if (s.restart) {
              previous = pipeline;
              pipeline = new Pipeline(deps, settings);
            }
            if (s.newReader) reader = newReader();
            const partition = `t:${s.partition % partitionCount}`;
            const values = streams.get(partition) ?? [];
            const from = delivered.get(partition) ?? 0;
            const records: SourceRecord[] = values
              .slice(from, from + s.size)
              .map((value, i) => ({ offset: from + i, value }));
            if (records.length > 0) {
              await pipeline.handleBatch({ partition, records });
              delivered.set(partition, from + records.length);
              if (s.zombie && previous !== pipeline) {
                // A writer that lost the partition: its commit is refused, so no change record is kept.
                await previous.handleBatch({ partition, records }).catch((error) => {
                  if (!(error instanceof StaleWriterError)) throw error;
                });
              }
            }
            if (s.look) await look();
          }
          await look();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps a window ranked as its cells change, and follows the store without being asked', async () => {
    const store = new MemoryCountStore();
    const clock = new ManualClock(BASE + 600_000);
    // Polls once a second on the real clock: the updates seen below come from the store's word.
    const realClock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
    const reader = new MaintainedVenueQuery(store, realClock, { refreshMs: 1_000 });
    const pipeline = new Pipeline({ store, deadLetters: new MemoryDeadLetterSink(), clock });
    const samples = fc.sample(rsvp, { numRuns: 200, seed: 7 }) as Rsvp[];
    const window = { ...(WINDOWS[0] as (typeof WINDOWS)[number]), start: Math.floor(BASE / 60_000) * 60_000 };
    expect(await reader.topVenues({ window })).toEqual([]);
    reader.start();
    let offset = 0;
    for (const r of samples) {
      await pipeline.handleBatch({ partition: 'p', records: [{ offset: offset++, value: serializeRsvp(r) }] });
      await new Promise((resolve) => setImmediate(resolve)); // the store tells the reader; no poll needed
      expect(await reader.topVenues({ window })).toEqual(await store.topVenues({ window }));
      expect(await reader.topVenues({ limit: 3 })).toEqual(await store.topVenues({ limit: 3 }));
    }
    await reader.stop();
  });
});
