import { describe, expect, it } from 'vitest';
import { RsvpTable } from './rsvp-table.js';

describe('RsvpTable', () => {
  it('keeps each RSVP’s latest mtime and venue across growth, null venues included', () => {
    const table = new RsvpTable();
    const n = 5_000; // past several doublings of the initial 1,024 slots
    for (let i = 0; i < n; i++) table.set(2_000_000_000 + i, 1_600_000_000_000 + i, i % 3 === 0 ? null : i);
    for (let i = 0; i < n; i += 2) table.set(2_000_000_000 + i, 1_700_000_000_000, 7);

    expect(table.size).toBe(n);
    expect(table.slotOf(1)).toBe(-1);
    const states = [...table.states()];
    expect(states).toHaveLength(n);
    states.forEach((state, i) => {
      expect(state.rsvpId).toBe(2_000_000_000 + i);
      expect(state.mtime).toBe(i % 2 === 0 ? 1_700_000_000_000 : 1_600_000_000_000 + i);
      expect(state.venueId).toBe(i % 2 === 0 ? 7 : i % 3 === 0 ? null : i);
    });
  });
});
