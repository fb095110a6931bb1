import type { PartitionCommit } from '@rsvp/core';
import { describe, expect, it } from 'vitest';
import { decodeChanges, encodeChanges } from './cassandra-rows.js';

const display = {
  venueName: 'Hall "A"',
  groupCity: 'Köln',
  lat: 50.94,
  lon: 6.96,
  mtime: 1_700_000_000_123,
  rsvpId: 1_800_000_001,
  offset: 41,
};

describe('change records as stored', () => {
  it('decode to what was committed: venues with and without a display, cells of several windows', () => {
    const commit: PartitionCommit = {
      partition: 'rsvps:2',
      expectedNextOffset: 40,
      nextOffset: 45,
      maxEventTime: 1_700_000_000_500,
      rsvps: [],
      venues: [
        { venueId: 7, count: 3 },
        { venueId: 24_629_171, count: 12, display },
        { venueId: 9, count: 0 },
      ],
      windows: [
        { window: '1m:pane', start: 1_700_000_000_000, venueId: 7, count: 2 },
        { window: '1h/5m:pane', start: 1_699_999_800_000, venueId: 7, count: 5 },
        { window: '1m:pane', start: 1_700_000_000_000, venueId: 9, count: -1 },
        { window: '1h/5m:late', start: 1_699_996_500_000, venueId: 24_629_171, count: -2 },
      ],
    };
    const record = decodeChanges('rsvps:2', 45, encodeChanges(commit));
    expect(record).toMatchObject({
      partition: 'rsvps:2',
      previousOffset: 40,
      nextOffset: 45,
      maxEventTime: 1_700_000_000_500,
    });
    const byId = (a: { venueId: number }, b: { venueId: number }) => a.venueId - b.venueId;
    expect([...record.venues].sort(byId)).toEqual([...commit.venues].sort(byId));
    const key = (w: { window: string; start: number; venueId: number }) => `${w.window}|${w.start}|${w.venueId}`;
    expect(record.windows.map(key).sort()).toEqual(commit.windows.map(key).sort());
    expect(new Map(record.windows.map((w) => [key(w), w.count]))).toEqual(
      new Map(commit.windows.map((w) => [key(w), w.count])),
    );
  });

  it('decode the earlier format too (records of an earlier version live 10 minutes into an upgrade)', () => {
    const text = JSON.stringify({
      p: 0,
      e: null,
      v: [
        [5, 2, 'Pub', 'Oslo', 1, 2, 10, 11, 12],
        [6, 1],
      ],
      w: [['1m:pane', 60_000, 5, 2]],
    });
    expect(decodeChanges('rsvps:0', 3, text)).toEqual({
      partition: 'rsvps:0',
      previousOffset: 0,
      nextOffset: 3,
      maxEventTime: null,
      venues: [
        {
          venueId: 5,
          count: 2,
          display: { venueName: 'Pub', groupCity: 'Oslo', lat: 1, lon: 2, mtime: 10, rsvpId: 11, offset: 12 },
        },
        { venueId: 6, count: 1 },
      ],
      windows: [{ window: '1m:pane', start: 60_000, venueId: 5, count: 2 }],
    });
  });
});
