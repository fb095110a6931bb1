import type { VenueDisplay } from './partition-state.js';

/**
 * Orders the messages a display can come from by (mtime, rsvpId, offset), the greatest the newest: true
 * when the first is newer than the second. Plain numbers, so that a table of columns compares in place.
 */
export function isNewerMessage(
  mtime: number,
  rsvpId: number,
  offset: number,
  thanMtime: number,
  thanRsvpId: number,
  thanOffset: number,
): boolean {
  if (mtime !== thanMtime) return mtime > thanMtime;
  if (rsvpId !== thanRsvpId) return rsvpId > thanRsvpId;
  return offset > thanOffset;
}

const SHOWN_BY_NOTHING = { mtime: Number.NEGATIVE_INFINITY, rsvpId: 0, offset: 0 };

/**
 * Each venue's count in one partition and which message its stored display came from, in columns. The
 * display itself (name, city, coordinates) is not kept: a commit writes it when its batch showed the venue
 * anew, and a commit that only moves the count leaves the stored one. A partition meets most venues, and a
 * processor owns several partitions, so this is a few numbers a venue, not an object with strings.
 */
export class VenueTallies {
  private readonly slots = new Map<number, number>();
  /** Per slot: count, then the shown message's mtime, rsvp id and offset. */
  private columns = new Float64Array(4 * 1024);

  get size(): number {
    return this.slots.size;
  }

  /** The slot of a venue, or -1 when this partition has not met it. */
  slotOf(venueId: number): number {
    return this.slots.get(venueId) ?? -1;
  }

  /** Adds a venue with its count and the message its display came from (none: any message is newer). */
  add(
    venueId: number,
    count: number,
    shownBy: Pick<VenueDisplay, 'mtime' | 'rsvpId' | 'offset'> = SHOWN_BY_NOTHING,
  ): number {
    const slot = this.slots.size;
    if (4 * slot === this.columns.length) {
      const columns = new Float64Array(this.columns.length * 2);
      columns.set(this.columns);
      this.columns = columns;
    }
    this.slots.set(venueId, slot);
    this.columns[4 * slot] = count;
    this.show(slot, shownBy.mtime, shownBy.rsvpId, shownBy.offset);
    return slot;
  }

  count(slot: number): number {
    return this.columns[4 * slot] as number;
  }

  addToCount(slot: number, delta: number): void {
    (this.columns[4 * slot] as number) += delta;
  }

  /** True when a message is newer than the one the stored display came from. */
  isNewerThanShown(slot: number, mtime: number, rsvpId: number, offset: number): boolean {
    const at = 4 * slot;
    const { columns } = this;
    return isNewerMessage(
      mtime,
      rsvpId,
      offset,
      columns[at + 1] as number,
      columns[at + 2] as number,
      columns[at + 3] as number,
    );
  }

  show(slot: number, mtime: number, rsvpId: number, offset: number): void {
    const at = 4 * slot;
    this.columns[at + 1] = mtime;
    this.columns[at + 2] = rsvpId;
    this.columns[at + 3] = offset;
  }
}
