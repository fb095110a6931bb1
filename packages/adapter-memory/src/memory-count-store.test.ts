import { paneCellName } from '@rsvp/core';
import { changeFeedContract, countStoreContract } from '@rsvp/testkit';
import { describe, expect, it } from 'vitest';
import { MemoryCountStore } from './memory-count-store.js';

countStoreContract('MemoryCountStore', async () => ({ store: new MemoryCountStore(), close: async () => {} }));
changeFeedContract('MemoryCountStore', async () => ({ store: new MemoryCountStore(), close: async () => {} }));

describe('MemoryCountStore window retention', () => {
  it('forgets windows that started longer ago than the retention, by event time, and keeps the rest', async () => {
    const store = new MemoryCountStore({ windowRetentionMs: 120_000 });
    const display = { venueName: 'A', groupCity: 'X', lat: 0, lon: 0, mtime: 0, rsvpId: 1, offset: 0 };
    const minute = { name: '1m', sizeMs: 60_000, slideMs: 60_000 };
    const cell = (start: number) => ({ window: paneCellName(minute), start, venueId: 1, count: 1 });
    const base = { partition: 'p', rsvps: [], venues: [{ venueId: 1, count: 1, display }] };
    await store.commit({
      ...base,
      expectedNextOffset: 0,
      nextOffset: 1,
      maxEventTime: 100_000,
      windows: [cell(0), cell(60_000)],
    });
    expect(await store.topVenues({ window: { ...minute, start: 0 } })).toHaveLength(1);
    await store.commit({
      ...base,
      expectedNextOffset: 1,
      nextOffset: 2,
      maxEventTime: 170_000,
      windows: [cell(120_000)],
    });
    expect(await store.topVenues({ window: { ...minute, start: 0 } })).toEqual([]);
    expect(await store.topVenues({ window: { ...minute, start: 60_000 } })).toHaveLength(1);
    expect(await store.topVenues({ window: { ...minute, start: 120_000 } })).toHaveLength(1);
    expect(() => new MemoryCountStore({ windowRetentionMs: 0 })).toThrow(RangeError);
  });
});
