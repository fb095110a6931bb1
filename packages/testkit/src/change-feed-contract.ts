import {
  type CountChangeFeed,
  type CountStore,
  currentWindowStart,
  type DeadLetterSink,
  MaintainedVenueQuery,
  Pipeline,
  type Rsvp,
  StaleWriterError,
  serializeRsvp,
  type TopVenuesRequest,
  type VenueCountQuery,
  type WindowSpec,
} from '@rsvp/core';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { smallWorldRsvp } from './rsvp-arbitraries.js';

export interface FeedUnderTest {
  readonly store: CountStore & VenueCountQuery & CountChangeFeed;
  close(): Promise<void>;
}

const BASE = 1_489_925_000_000;
const noDeadLetters: DeadLetterSink = { write: async () => {} };
const clock = { now: () => BASE + 3_600_000, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };

/**
 * The `CountChangeFeed` contract: every applied commit leaves one change record chained to the one before,
 * a refused (fenced) commit leaves none, and maintained views over the feed, started at any time, answer
 * what the store's own full read answers.
 */
export function changeFeedContract(name: string, create: () => Promise<FeedUnderTest>): void {
  describe(`${name} as a CountChangeFeed`, () => {
    const open: FeedUnderTest[] = [];
    const readers: MaintainedVenueQuery[] = [];
    afterEach(async () => {
      await Promise.all(readers.splice(0).map((reader) => reader.stop()));
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    it('keeps a chain of records of applied commits only, and views that match a full read', async () => {
      const under = await create();
      open.push(under);
      const { store } = under;
      const pipeline = () => new Pipeline({ store, deadLetters: noDeadLetters, clock });
      const reader = () => {
        const view = new MaintainedVenueQuery(store, clock, { refreshMs: 20 });
        readers.push(view);
        return view;
      };
      const early = reader();
      expect(await early.topVenues({})).toEqual([]);

      const rsvps = fc.sample(smallWorldRsvp({ baseMtime: BASE, spanMs: 600_000, stepMs: 1_000 }), {
        numRuns: 300,
        seed: 11,
      }) as Rsvp[];
      const partitions = ['t:0', 't:1'];
      const writer = pipeline();
      const zombie = pipeline();
      const offsets = new Map<string, number>();
      for (let i = 0; i < rsvps.length; i += 30) {
        const partition = partitions[(i / 30) % 2] as string;
        const from = offsets.get(partition) ?? 0;
        const records = rsvps.slice(i, i + 30).map((r, k) => ({ offset: from + k, value: serializeRsvp(r) }));
        if (i === 60)
          await zombie.handleBatch({ partition: 't:0', records: [{ offset: 0, value: '{}' }] }).catch(() => {});
        await writer.handleBatch({ partition, records });
        offsets.set(partition, from + records.length);
      }
      // The zombie started from the offset it loaded; the partition has moved on since.
      await expect(
        zombie.handleBatch({ partition: 't:0', records: [{ offset: 1_000, value: serializeRsvp(rsvps[0] as Rsvp) }] }),
      ).rejects.toBeInstanceOf(StaleWriterError);

      for (const partition of partitions) {
        const records = await store.changesSince(partition, 0);
        expect(records.length).toBeGreaterThan(0);
        records.forEach((record, k) => {
          expect(record.previousOffset).toBe(k === 0 ? 0 : records[k - 1]?.nextOffset);
        });
        expect(records.at(-1)?.nextOffset).toBe(offsets.get(partition));
        expect(await store.changesSince(partition, offsets.get(partition) as number)).toEqual([]);
      }

      const late = reader();
      await early.refresh();
      const latest = (await store.latestEventTime()) as number;
      const windows: WindowSpec[] = [
        { name: '1m', sizeMs: 60_000, slideMs: 60_000 },
        { name: '1h', sizeMs: 3_600_000, slideMs: 300_000 },
      ];
      const requests: TopVenuesRequest[] = [
        {},
        { limit: 3 },
        ...windows.map((spec) => ({ window: { ...spec, start: currentWindowStart(spec, latest) } })),
      ];
      for (const request of requests) {
        const expected = await store.topVenues(request);
        expect(await early.topVenues(request)).toEqual(expected);
        expect(await late.topVenues(request)).toEqual(expected);
      }
      expect(await late.latestEventTime()).toBe(latest);
    });
  });
}
