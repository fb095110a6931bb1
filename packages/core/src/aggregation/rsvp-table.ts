import type { RsvpState } from './partition-state.js';

/**
 * Every RSVP's latest event time and venue, in columns: a partition remembers every RSVP it has seen, so
 * one object (and one boxed number) per RSVP would be most of a processor's memory.
 */
export class RsvpTable {
  private readonly slots = new Map<number, number>();
  private mtimes = new Float64Array(1024);
  /** NaN stands for "counts nowhere". */
  private venueIds = new Float64Array(1024);

  get size(): number {
    return this.slots.size;
  }

  /** The slot of an RSVP, or -1 when it has not been seen. */
  slotOf(rsvpId: number): number {
    return this.slots.get(rsvpId) ?? -1;
  }

  mtime(slot: number): number {
    return this.mtimes[slot] as number;
  }

  venueId(slot: number): number | null {
    const venueId = this.venueIds[slot] as number;
    return Number.isNaN(venueId) ? null : venueId;
  }

  /** Records an RSVP's latest message; returns its slot. */
  set(rsvpId: number, mtime: number, venueId: number | null): number {
    let slot = this.slots.get(rsvpId);
    if (slot === undefined) {
      slot = this.slots.size;
      if (slot === this.mtimes.length) this.grow();
      this.slots.set(rsvpId, slot);
    }
    this.mtimes[slot] = mtime;
    this.venueIds[slot] = venueId ?? Number.NaN;
    return slot;
  }

  /** Forgets every RSVP. */
  clear(): void {
    this.slots.clear();
    this.mtimes = new Float64Array(1024);
    this.venueIds = new Float64Array(1024);
  }

  /** Every RSVP, in the order first seen. */
  *states(): IterableIterator<RsvpState> {
    for (const [rsvpId, slot] of this.slots) yield { rsvpId, mtime: this.mtime(slot), venueId: this.venueId(slot) };
  }

  private grow(): void {
    const mtimes = new Float64Array(this.mtimes.length * 2);
    mtimes.set(this.mtimes);
    this.mtimes = mtimes;
    const venueIds = new Float64Array(this.venueIds.length * 2);
    venueIds.set(this.venueIds);
    this.venueIds = venueIds;
  }
}
