import { describe, expect, it } from 'vitest';
import type { VenueTotal } from '../aggregation/partition-state.js';
import type { ChangeRecord } from '../ports/count-change-feed.js';
import { VenueView } from './venue-view.js';

const venue = (venueId: number, count: number, venueName: string, mtime = 1): VenueTotal => ({
  venueId,
  count,
  display: { venueName, groupCity: 'Oslo', lat: 59.9, lon: 10.7, mtime, rsvpId: 1, offset: 0 },
});

const record = (previousOffset: number, nextOffset: number, venues: VenueTotal[]): ChangeRecord => ({
  partition: 'p',
  previousOffset,
  nextOffset,
  maxEventTime: 1_000,
  venues,
  windows: [],
});

describe('VenueView', () => {
  it('applies records in chain order, ignores those it has, and reports a missing one', () => {
    const view = new VenueView();
    expect(view.apply(record(0, 3, [venue(1, 2, 'A'), venue(2, 1, 'B')]))).toBe('applied');
    expect(view.apply(record(0, 3, [venue(1, 9, 'A')]))).toBe('included');
    expect(view.apply(record(5, 8, [venue(2, 9, 'B')]))).toBe('gap');
    expect(view.top({}).map((r) => [r.venueName, r.count])).toEqual([
      ['A', 2],
      ['B', 1],
    ]);
    expect(view.offsetOf('p')).toBe(3);
  });

  it('moves a venue in the ranking when its count or its name changes, and drops it at zero', () => {
    const view = new VenueView();
    view.apply(record(0, 1, [venue(1, 2, 'A'), venue(2, 2, 'B'), venue(3, 1, 'C')]));
    view.apply(record(1, 2, [venue(3, 2, 'AA', 2)]));
    expect(view.top({}).map((r) => r.venueName)).toEqual(['A', 'AA', 'B']);
    view.apply(record(2, 3, [venue(1, 0, 'A', 3)]));
    expect(view.top({ limit: 5 }).map((r) => r.venueName)).toEqual(['AA', 'B']);
  });

  it('replaces a partition with a newer snapshot, never an older one', () => {
    const view = new VenueView();
    view.apply(record(0, 4, [venue(1, 2, 'A')]));
    view.replace({ partition: 'p', nextOffset: 2, maxEventTime: 1, venues: [venue(1, 1, 'A')], windows: [] });
    expect(view.top({})[0]?.count).toBe(2);
    view.replace({ partition: 'p', nextOffset: 9, maxEventTime: 1, venues: [venue(2, 5, 'B')], windows: [] });
    expect(view.top({}).map((r) => [r.venueName, r.count])).toEqual([['B', 5]]);
  });
});
