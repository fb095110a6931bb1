import { describe, expect, it } from 'vitest';
import { VenueTallies } from './venue-tallies.js';

describe('VenueTallies', () => {
  it('keeps each venue its count and the message it was shown by, past its first columns', () => {
    const tallies = new VenueTallies();
    for (let venueId = 1; venueId <= 3_000; venueId++) {
      tallies.add(venueId, venueId * 2, { mtime: 1_000 + venueId, rsvpId: 7, offset: venueId });
    }
    expect(tallies.size).toBe(3_000);
    const slot = tallies.slotOf(2_500);
    tallies.addToCount(slot, -1);
    expect(tallies.count(slot)).toBe(4_999);
    expect(tallies.slotOf(3_001)).toBe(-1);
    // Shown by (3500, 7, 2500): a later mtime, then a greater rsvp id, then a later offset is newer.
    expect(tallies.isNewerThanShown(slot, 3_501, 1, 0)).toBe(true);
    expect(tallies.isNewerThanShown(slot, 3_499, 9, 9_999)).toBe(false);
    expect(tallies.isNewerThanShown(slot, 3_500, 8, 0)).toBe(true);
    expect(tallies.isNewerThanShown(slot, 3_500, 7, 2_500)).toBe(false);
    expect(tallies.isNewerThanShown(slot, 3_500, 7, 2_501)).toBe(true);
    tallies.show(slot, 4_000, 1, 1);
    expect(tallies.isNewerThanShown(slot, 3_501, 1, 0)).toBe(false);
    expect(tallies.count(tallies.slotOf(1))).toBe(2);
  });

  it('takes any message as newer than a count stored without a display', () => {
    const tallies = new VenueTallies();
    const slot = tallies.add(5, 3);
    expect(tallies.isNewerThanShown(slot, 0, 0, 0)).toBe(true);
  });
});
