import type { ChangeRecord, VenueDisplay, VenueTotal, WindowCount } from '@rsvp/core';
import type { ChangeVisitor } from './cassandra-rows.js';

/** One stored window cell's venue counts: a pane or a late correction. */
export interface CellCounts {
  readonly window: string;
  readonly start: number;
  readonly counts: Map<number, number>;
}

interface Venue {
  count: number;
  display: VenueDisplay | undefined;
}

/**
 * A partition's counts as the journal leaves them: the folded rows (venue rows, cell rows), overlaid in
 * commit order by the change records written since the fold. Every value is absolute, so a later write of
 * a key replaces an earlier one; a venue written without a display keeps the one it had.
 */
export class PartitionCounts implements ChangeVisitor {
  private readonly venues = new Map<number, Venue>();
  private readonly cells = new Map<string, CellCounts>();

  venue(venueId: number, count: number, display?: VenueDisplay): void {
    const had = this.venues.get(venueId);
    if (had === undefined) this.venues.set(venueId, { count, display });
    else {
      had.count = count;
      if (display !== undefined) had.display = display;
    }
  }

  cell(window: string, start: number, venueId: number, count: number): void {
    this.cellAt(window, start).counts.set(venueId, count);
  }

  /** Applies a commit's (or change record's) values over what is here. */
  apply(record: Pick<ChangeRecord, 'venues' | 'windows'>): void {
    for (const v of record.venues) this.venue(v.venueId, v.count, v.display);
    for (const w of record.windows) this.cell(w.window, w.start, w.venueId, w.count);
  }

  venueTotals(): VenueTotal[] {
    const totals: VenueTotal[] = [];
    for (const [venueId, { count, display }] of this.venues) {
      totals.push(display === undefined ? { venueId, count } : { venueId, count, display });
    }
    return totals;
  }

  cellCounts(): IterableIterator<CellCounts> {
    return this.cells.values();
  }

  windowCounts(): WindowCount[] {
    const windows: WindowCount[] = [];
    for (const { window, start, counts } of this.cells.values()) {
      for (const [venueId, count] of counts) windows.push({ window, start, venueId, count });
    }
    return windows;
  }

  private cellAt(window: string, start: number): CellCounts {
    const key = `${window}\u0000${start}`;
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = { window, start, counts: new Map() };
      this.cells.set(key, cell);
    }
    return cell;
  }
}

/** A folded cell's counts as stored in one row: `[venue, count, venue, count, …]`. */
export function encodeCellCounts(counts: ReadonlyMap<number, number>): string {
  const flat: number[] = [];
  for (const [venueId, count] of counts) flat.push(venueId, count);
  return JSON.stringify(flat);
}

export function decodeCellCounts(text: string): [venueId: number, count: number][] {
  const flat = JSON.parse(text) as number[];
  const pairs: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] as number, flat[i + 1] as number]);
  return pairs;
}
