import { coordinateText } from '../rsvp/rsvp.js';
import { isNewer } from './partition-aggregate.js';
import type { VenueDisplay } from './partition-state.js';

/** One row of the API: a venue and how many distinct RSVPs count there. */
export interface VenueRow {
  readonly venueId: number;
  readonly venueName: string;
  readonly groupCity: string;
  /** Coordinates as text, as the original system returned them (see `coordinateText`). */
  readonly lat: string;
  readonly lon: string;
  readonly count: number;
}

/** The API's order: most RSVPs first, then venue name, then venue id (so ties are stable). */
export function compareVenueRows(a: VenueRow, b: VenueRow): number {
  if (a.count !== b.count) return b.count - a.count;
  if (a.venueName !== b.venueName) return a.venueName < b.venueName ? -1 : 1;
  return a.venueId - b.venueId;
}

/**
 * Sums one venue's counts from several partitions and keeps the newest display, so every store
 * answers the same rows whatever the partitioning.
 */
export class VenueRanking {
  private readonly counts = new Map<number, number>();
  private readonly displays = new Map<number, VenueDisplay>();

  addCount(venueId: number, count: number): void {
    this.counts.set(venueId, (this.counts.get(venueId) ?? 0) + count);
  }

  addDisplay(venueId: number, display: VenueDisplay): void {
    const current = this.displays.get(venueId);
    if (current === undefined || isNewer(display, current)) this.displays.set(venueId, display);
  }

  /** Venues with a positive count, in `compareVenueRows` order. */
  top(limit?: number): VenueRow[] {
    const rows: VenueRow[] = [];
    for (const [venueId, count] of this.counts) {
      const display = this.displays.get(venueId);
      if (count <= 0 || display === undefined) continue;
      rows.push({
        venueId,
        venueName: display.venueName,
        groupCity: display.groupCity,
        lat: coordinateText(display.lat),
        lon: coordinateText(display.lon),
        count,
      });
    }
    rows.sort(compareVenueRows);
    return limit === undefined ? rows : rows.slice(0, limit);
  }
}
