import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PartitionSnapshot, VenueTotal, WindowCount } from '../aggregation/partition-state.js';
import { VenueRanking } from '../aggregation/venue-ranking.js';
import type { ChangeRecord } from '../ports/count-change-feed.js';
import type { WindowRef } from '../ports/venue-count-query.js';
import { windowCells } from '../windows/window-spec.js';
import { VenueView } from './venue-view.js';

const SPEC = { name: '2m', sizeMs: 120_000, slideMs: 60_000 };
const WINDOWS: WindowRef[] = [0, 60_000, 120_000].map((start) => ({ ...SPEC, start }));
const CELLS = [...new Set(WINDOWS.flatMap((w) => windowCells(w, w.start)).map((c) => `${c.window}|${c.start}`))];

/**
 * One commit: absolute values for some venues and cells of one partition (names and times change too; a
 * venue the partition has shown may come without its display, as a commit that only moved its count).
 */
const commit = fc.record({
  partition: fc.integer({ min: 0, max: 2 }),
  advance: fc.integer({ min: 1, max: 5 }),
  venues: fc.array(
    fc.record({
      venueId: fc.integer({ min: 1, max: 8 }),
      count: fc.integer({ min: 0, max: 6 }),
      name: fc.constantFrom('Hall', 'Pub', 'Café', 'Hub'),
      /** False: the commit only moves the count of a venue the partition showed before (no display). */
      shows: fc.boolean(),
    }),
    { maxLength: 5 },
  ),
  cells: fc.array(
    fc.record({
      cell: fc.constantFrom(...CELLS),
      venueId: fc.integer({ min: 1, max: 8 }),
      count: fc.integer({ min: -2, max: 5 }),
    }),
    { maxLength: 5 },
  ),
});

/** How a reader meets the records: now and then it restarts, misses records, or gets them twice or out of order. */
const delivery = fc.record({
  restart: fc.boolean(),
  drop: fc.boolean(),
  duplicate: fc.boolean(),
  reverse: fc.boolean(),
});

interface Model {
  nextOffset: number;
  venues: Map<number, Required<VenueTotal>>;
  cells: Map<string, number>;
}

describe('VenueView (property)', () => {
  it('answers what a full recompute of the committed values answers, whatever the delivery of the records', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(commit, delivery), { maxLength: 40 }),
        fc.constantFrom(undefined, 1, 3),
        (steps, limit) => {
          // The store: the latest absolute values of each partition, and every record it committed.
          const store = new Map<string, Model>();
          const records: ChangeRecord[] = [];
          const snapshot = (partition: string): PartitionSnapshot => {
            const model = store.get(partition) as Model;
            const windows: WindowCount[] = [...model.cells].map(([key, count]) => {
              const [cell = '', start, venueId] = key.split('|');
              return { window: cell, start: Number(start), venueId: Number(venueId), count };
            });
            return {
              partition,
              nextOffset: model.nextOffset,
              maxEventTime: 0,
              rsvps: [],
              venues: [...model.venues.values()],
              windows,
            };
          };
          let view = new VenueView();
          let pending: ChangeRecord[] = [];
          // Every message that shows a venue is newer than the ones before (as a partition's displays only move on).
          let shown = 0;

          // The recompute: sum the latest values of every partition.
          const recompute = (window?: WindowRef, every = false) => {
            const ranking = new VenueRanking();
            const keys = window && new Set(windowCells(window, window.start).map((c) => `${c.window}|${c.start}`));
            for (const model of store.values()) {
              for (const v of model.venues.values()) {
                ranking.addDisplay(v.venueId, v.display);
                if (!keys) ranking.addCount(v.venueId, v.count);
              }
              if (!keys) continue;
              for (const [key, count] of model.cells) {
                const [cell, start, venueId] = key.split('|');
                if (keys.has(`${cell}|${start}`)) ranking.addCount(Number(venueId), count);
              }
            }
            return ranking.top(every ? undefined : limit);
          };
          const allTimeTotal = () => recompute(undefined, true).reduce((sum, row) => sum + row.count, 0);
          const request = (window?: WindowRef) => ({
            ...(window && { window }),
            ...(limit !== undefined && { limit }),
          });
          for (const [c, d] of steps) {
            const partition = `p${c.partition}`;
            const model = store.get(partition) ?? { nextOffset: 0, venues: new Map(), cells: new Map() };
            store.set(partition, model);
            const venues: VenueTotal[] = [];
            for (const v of c.venues) {
              const before = model.venues.get(v.venueId);
              if (before !== undefined && !v.shows) {
                venues.push({ venueId: v.venueId, count: v.count });
                model.venues.set(v.venueId, { ...before, count: v.count });
                continue;
              }
              shown += 1;
              const display = { venueName: v.name, groupCity: 'X', lat: 1, lon: 2, mtime: shown, rsvpId: 1, offset: 0 };
              const total = { venueId: v.venueId, count: v.count, display };
              venues.push(total);
              model.venues.set(v.venueId, total);
            }
            const windows = c.cells.map(({ cell, venueId, count }) => {
              const [window = '', start] = cell.split('|');
              model.cells.set(`${window}|${start}|${venueId}`, count);
              return { window, start: Number(start), venueId, count };
            });
            const record = {
              partition,
              previousOffset: model.nextOffset,
              nextOffset: model.nextOffset + c.advance,
              maxEventTime: 0,
              venues,
              windows,
            };
            model.nextOffset = record.nextOffset;
            records.push(record);
            if (d.restart) {
              view = new VenueView();
              pending = [...records];
            } else if (!d.drop) {
              pending.push(record);
              if (d.duplicate) pending.push(records[Math.floor(records.length / 2)] as ChangeRecord);
            }
            if (d.reverse) pending.reverse();
            // The reader's refresh: records in chain order; a gap, or a partition first seen, reads it whole.
            const chain = [...pending].sort((a, b) => a.nextOffset - b.nextOffset);
            pending = [];
            for (const r of chain) {
              if (view.apply(r) === 'gap') view.replace(snapshot(r.partition));
            }
            if ([...store].every(([p, m]) => view.offsetOf(p) === m.nextOffset)) {
              // Caught up: the maintained rankings (windows included) must match now, not only when built.
              expect(view.top(request())).toEqual(recompute());
              expect(view.listedTotal()).toBe(allTimeTotal());
              for (const window of WINDOWS) expect(view.top(request(window))).toEqual(recompute(window));
            }
          }
          for (const p of store.keys()) {
            if (view.offsetOf(p) < (store.get(p) as Model).nextOffset) view.replace(snapshot(p));
          }

          expect(view.top(request())).toEqual(recompute());
          expect(view.listedTotal()).toBe(allTimeTotal());
          for (const window of WINDOWS) expect(view.top(request(window))).toEqual(recompute(window));
        },
      ),
      { numRuns: 500 },
    );
  });
});
