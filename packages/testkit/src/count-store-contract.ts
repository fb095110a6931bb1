import {
  type CountStore,
  lateCellName,
  type PartitionCommit,
  type PartitionSnapshot,
  paneCellName,
  type RsvpState,
  rsvpBucketOf,
  StaleWriterError,
  type VenueCountQuery,
  type VenueDisplay,
} from '@rsvp/core';
import { afterEach, describe, expect, it } from 'vitest';

export interface StoreUnderTest {
  readonly store: CountStore & VenueCountQuery;
  close(): Promise<void>;
}

const display = (venueName: string, mtime: number, groupCity = 'Berlin'): VenueDisplay => ({
  venueName,
  groupCity,
  lat: 52.52,
  lon: 13.405,
  mtime,
  rsvpId: 1,
  offset: 0,
});

function commit(
  partition: string,
  expectedNextOffset: number,
  changes: Partial<PartitionCommit> = {},
): PartitionCommit {
  return {
    partition,
    expectedNextOffset,
    nextOffset: expectedNextOffset + 10,
    maxEventTime: 1_000,
    rsvps: [],
    venues: [],
    windows: [],
    ...changes,
  };
}

/** The counts and states of a snapshot in a stable order (the buckets are checked on their own). */
const sorted = ({ rsvpBuckets: _buckets, expiredBucketMax: _max, ...snapshot }: PartitionSnapshot) => ({
  ...snapshot,
  rsvps: [...snapshot.rsvps].sort((a, b) => a.rsvpId - b.rsvpId),
  venues: [...snapshot.venues].sort((a, b) => a.venueId - b.venueId),
  windows: [...snapshot.windows].sort((a, b) => a.start - b.start || a.venueId - b.venueId),
});

/**
 * What every `CountStore` + `VenueCountQuery` must do. `open` gives a store over empty storage; the
 * same assertions run against the memory store and the real ones.
 */
export function countStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name} (CountStore and VenueCountQuery contract)`, () => {
    let opened: StoreUnderTest | undefined;
    const fresh = async () => {
      opened = await open();
      return opened.store;
    };
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
    });

    it('loads a partition never written as empty, at offset 0', async () => {
      const store = await fresh();
      expect(await store.load('rsvps:0')).toEqual({
        partition: 'rsvps:0',
        nextOffset: 0,
        maxEventTime: null,
        rsvps: [],
        venues: [],
        windows: [],
      });
      expect(await store.latestEventTime()).toBe(null);
      expect(await store.topVenues({})).toEqual([]);
    });

    it('loads back what was committed, with the position', async () => {
      const store = await fresh();
      const first = commit('rsvps:0', 0, {
        nextOffset: 42,
        maxEventTime: 1_489_925_470_960,
        rsvps: [
          { rsvpId: 1_658_699_312, mtime: 1_489_925_470_960, venueId: 24_629_171 },
          { rsvpId: 7, mtime: 5, venueId: null },
        ],
        venues: [{ venueId: 24_629_171, count: 1, display: display('Tech Hub ', 1_489_925_470_960) }],
        windows: [{ window: '1m', start: 1_489_925_460_000, venueId: 24_629_171, count: 1 }],
      });
      await store.commit(first);
      const { expectedNextOffset, ...snapshot } = first;
      expect(sorted(await store.load('rsvps:0'))).toEqual(sorted(snapshot));
      expect(expectedNextOffset).toBe(0);
    });

    it('loads without the RSVP states but with their buckets, and reads back whole buckets', async () => {
      const store = await fresh();
      const big = rsvpBucketOf(1_658_699_312);
      const rsvps = [
        { rsvpId: 1_658_699_312, mtime: 1_489_925_470_960, venueId: 24_629_171 },
        { rsvpId: 7, mtime: 5, venueId: null },
      ];
      const venues = [{ venueId: 24_629_171, count: 1, display: display('Tech Hub', 1) }];
      const rsvpBuckets = [
        { bucket: big, latest: 1_489_999_000_000 },
        { bucket: 0, latest: 5 },
      ];
      await store.commit(commit('rsvps:0', 0, { nextOffset: 3, maxEventTime: 9, rsvps, rsvpBuckets, venues }));
      await store.commit(commit('rsvps:1', 0, { rsvps: [{ rsvpId: 8, mtime: 1, venueId: null }] }));
      const loaded = await store.load('rsvps:0', { rsvps: false });
      expect(loaded.rsvps).toEqual([]);
      expect(loaded.venues).toEqual(venues);
      expect([...(loaded.rsvpBuckets ?? [])].sort((a, b) => a.bucket - b.bucket)).toEqual([...rsvpBuckets].reverse());
      // A later commit to a bucket adds to it: the bucket is everything committed to it, latest state first.
      const later = { rsvpId: 9, mtime: 6, venueId: 3 };
      await store.commit(commit('rsvps:0', 3, { rsvps: [later, { ...rsvps[1], mtime: 7 }] as typeof rsvps }));
      const found = await store.loadRsvpBuckets('rsvps:0', [0, big, 99]);
      expect(found.sort((a, b) => a.rsvpId - b.rsvpId)).toEqual([{ ...rsvps[1], mtime: 7 }, later, rsvps[0]]);
      expect(await store.loadRsvpBuckets('rsvps:9', [0])).toEqual([]);
      // A bucket written whole replaces what was stored of it.
      const whole: RsvpState[] = [
        { rsvpId: 7, mtime: 8, venueId: null },
        { rsvpId: 9, mtime: 6, venueId: 4 },
        { rsvpId: 10, mtime: 6, venueId: null },
      ];
      await store.commit(commit('rsvps:0', 13, { rsvps: whole, wholeBuckets: [0] }));
      const rewritten = await store.loadRsvpBuckets('rsvps:0', [0]);
      expect(rewritten.sort((a, b) => a.rsvpId - b.rsvpId)).toEqual(whole);
      // An expired bucket goes whole; the greatest expired bucket is kept.
      await store.commit(commit('rsvps:0', 23, { expiredBuckets: [0], expiredBucketMax: 0 }));
      const after = await store.load('rsvps:0');
      expect(after.rsvps).toEqual([rsvps[0]]);
      expect(after.rsvpBuckets?.map((b) => b.bucket)).toEqual([big]);
      expect(after.expiredBucketMax).toBe(0);
      expect(await store.loadRsvpBuckets('rsvps:0', [0])).toEqual([]);
      // Many buckets at once: more than one lookup query takes.
      const many = Array.from({ length: 300 }, (_, i) => ({ rsvpId: i * 5_000, mtime: i, venueId: null }));
      await store.commit(commit('rsvps:2', 0, { rsvps: many }));
      const buckets = [...new Set(many.map((r) => rsvpBucketOf(r.rsvpId)))];
      expect((await store.loadRsvpBuckets('rsvps:2', buckets)).sort((a, b) => a.rsvpId - b.rsvpId)).toEqual(many);
    });

    it('overwrites with absolute values, so applying a commit again changes nothing', async () => {
      const store = await fresh();
      const venue = (count: number) => ({ venueId: 5, count, display: display('A', 1) });
      await store.commit(commit('rsvps:0', 0, { venues: [venue(3)] }));
      await store.commit(commit('rsvps:0', 10, { venues: [venue(1)] }));
      expect((await store.load('rsvps:0')).venues).toEqual([venue(1)]);
      expect(await store.topVenues({})).toMatchObject([{ venueId: 5, count: 1 }]);
    });

    it('refuses a commit from a stale position, changing nothing (a zombie writer is fenced)', async () => {
      const store = await fresh();
      await store.commit(commit('rsvps:0', 0));
      const before = await store.load('rsvps:0');
      const zombie = commit('rsvps:0', 0, { venues: [{ venueId: 9, count: 5, display: display('Z', 9) }] });
      await expect(store.commit(zombie)).rejects.toBeInstanceOf(StaleWriterError);
      await expect(store.commit(commit('rsvps:0', 20))).rejects.toBeInstanceOf(StaleWriterError);
      expect(await store.load('rsvps:0')).toEqual(before);
    });

    it('lets exactly one of two writers from the same position win', async () => {
      const store = await fresh();
      const results = await Promise.allSettled([
        store.commit(commit('rsvps:1', 0, { venues: [{ venueId: 1, count: 1, display: display('first', 1) }] })),
        store.commit(commit('rsvps:1', 0, { venues: [{ venueId: 1, count: 2, display: display('second', 1) }] })),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(StaleWriterError);
    });

    it('keeps partitions apart, and the query sums them, newest display first, ordered and limited', async () => {
      const store = await fresh();
      await store.commit(
        commit('rsvps:0', 0, {
          maxEventTime: 100,
          venues: [
            { venueId: 1, count: 2, display: display('Old name', 10, 'Bonn') },
            { venueId: 2, count: 3, display: display('Bravo', 10) },
            { venueId: 4, count: 0, display: display('Nobody', 10) },
          ],
        }),
      );
      await store.commit(
        commit('rsvps:1', 0, {
          maxEventTime: 300,
          venues: [
            { venueId: 1, count: 2, display: display('New name', 20) },
            { venueId: 3, count: 3, display: display('Alpha', 10) },
          ],
        }),
      );
      expect((await store.load('rsvps:1')).venues).toHaveLength(2);
      const rows = await store.topVenues({});
      expect(rows.map((r) => [r.venueName, r.groupCity, r.count])).toEqual([
        ['New name', 'Berlin', 4],
        ['Alpha', 'Berlin', 3],
        ['Bravo', 'Berlin', 3],
      ]);
      expect(rows[0]).toMatchObject({ lat: '52.52', lon: '13.405', venueId: 1 });
      expect(await store.topVenues({ limit: 2 })).toHaveLength(2);
      expect(await store.latestEventTime()).toBe(300);
    });

    it('keeps the stored display when a commit moves only a count (no display)', async () => {
      const store = await fresh();
      await store.commit(
        commit('rsvps:0', 0, { venues: [{ venueId: 7, count: 4, display: display('Hall', 50, 'Oslo') }] }),
      );
      await store.commit(commit('rsvps:0', 10, { venues: [{ venueId: 7, count: 2 }] }));
      expect((await store.load('rsvps:0')).venues).toEqual([
        { venueId: 7, count: 2, display: display('Hall', 50, 'Oslo') },
      ]);
      expect(await store.topVenues({})).toMatchObject([{ venueId: 7, venueName: 'Hall', groupCity: 'Oslo', count: 2 }]);
      // A newer display replaces it, with the count.
      await store.commit(commit('rsvps:0', 20, { venues: [{ venueId: 7, count: 3, display: display('Hall 2', 60) }] }));
      expect(await store.topVenues({})).toMatchObject([
        { venueId: 7, venueName: 'Hall 2', groupCity: 'Berlin', count: 3 },
      ]);
    });

    it('answers one window as the sum of its cells (panes and late correction) across partitions', async () => {
      const store = await fresh();
      const spec = { name: '3m', sizeMs: 180_000, slideMs: 60_000 };
      const other = { name: '1h', sizeMs: 3_600_000, slideMs: 3_600_000 };
      const pane = paneCellName(spec);
      await store.commit(
        commit('rsvps:0', 0, {
          venues: [{ venueId: 1, count: 5, display: display('One', 1) }],
          windows: [
            { window: pane, start: 60_000, venueId: 1, count: 2 },
            { window: pane, start: 120_000, venueId: 1, count: 3 },
            { window: pane, start: 240_000, venueId: 1, count: 7 },
            { window: lateCellName(spec), start: 60_000, venueId: 1, count: -1 },
            { window: paneCellName(other), start: 0, venueId: 1, count: 5 },
          ],
        }),
      );
      await store.commit(
        commit('rsvps:1', 0, {
          venues: [{ venueId: 1, count: 1, display: display('One', 1) }],
          windows: [{ window: pane, start: 180_000, venueId: 1, count: 1 }],
        }),
      );
      expect(await store.topVenues({ window: { ...spec, start: 60_000 } })).toMatchObject([
        { venueId: 1, venueName: 'One', count: 5 },
      ]);
      expect(await store.topVenues({ window: { ...spec, start: 180_000 } })).toMatchObject([{ venueId: 1, count: 8 }]);
      expect(await store.topVenues({ window: { ...spec, start: 300_000 } })).toEqual([]);
    });
  });
}
