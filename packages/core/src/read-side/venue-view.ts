import { isNewer } from '../aggregation/partition-aggregate.js';
import type { PartitionId, PartitionSnapshot, VenueDisplay, VenueTotal } from '../aggregation/partition-state.js';
import type { VenueRow } from '../aggregation/venue-ranking.js';
import type { ChangeRecord } from '../ports/count-change-feed.js';
import type { TopVenuesRequest, WindowRef } from '../ports/venue-count-query.js';
import { coordinateText } from '../rsvp/rsvp.js';
import { windowCells } from '../windows/window-spec.js';
import { SortedList } from './sorted-list.js';

/**
 * A venue's all-time count over every partition, and the newest way any partition showed it, updated in
 * place (one object per venue; a record's own objects die young). `slot` indexes the partitions' counts.
 */
class ViewVenue implements VenueDisplay {
  count = 0;
  shown = false;
  venueName = '';
  groupCity = '';
  lat = 0;
  lon = 0;
  /** The coordinates as the API shows them, made once per change rather than per answer. */
  latText = '0';
  lonText = '0';
  mtime = 0;
  rsvpId = 0;
  offset = 0;

  constructor(
    readonly venueId: number,
    readonly slot: number,
  ) {}

  show(display: VenueDisplay): void {
    // Equal strings are kept: the new ones are then garbage of the young generation.
    if (display.venueName !== this.venueName) this.venueName = display.venueName;
    if (display.groupCity !== this.groupCity) this.groupCity = display.groupCity;
    if (display.lat !== this.lat || !this.shown) this.latText = coordinateText(display.lat);
    if (display.lon !== this.lon || !this.shown) this.lonText = coordinateText(display.lon);
    this.lat = display.lat;
    this.lon = display.lon;
    this.mtime = display.mtime;
    this.rsvpId = display.rsvpId;
    this.offset = display.offset;
    this.shown = true;
  }
}

/** A venue's count in one maintained window. */
interface WindowEntry {
  readonly venue: ViewVenue;
  count: number;
}

/** One window kept ranked: the sum of its cells over every partition. */
interface WindowIndex {
  readonly cellKeys: ReadonlySet<string>;
  readonly entries: Map<number, WindowEntry>;
  readonly ranked: SortedList<WindowEntry>;
}

interface PartitionView {
  nextOffset: number;
  maxEventTime: number | null;
  /** By venue slot: one number per venue rather than a map entry (a view may hold millions). */
  counts: Float64Array;
  /** By cell key (`cellKey`). */
  readonly cells: Map<string, { readonly start: number; readonly counts: Map<number, number> }>;
}

export interface VenueViewOptions {
  /** Cells that started longer than this before their partition's latest event time are forgotten, as the stores do. */
  readonly windowRetentionMs?: number;
  /** Windows kept ranked at once (the current and previous windows of each family); others are ranked again when asked. */
  readonly maintainedWindows?: number;
}

/** How a record met the view. */
export type ApplyResult = 'applied' | 'included' | 'gap';

/** The API's order (as `compareVenueRows`): most RSVPs first, then venue name, then venue id. */
function byRank(countA: number, a: ViewVenue, countB: number, b: ViewVenue): number {
  if (countA !== countB) return countB - countA;
  if (a.venueName !== b.venueName) return a.venueName < b.venueName ? -1 : 1;
  return a.venueId - b.venueId;
}

const byVenueRank = (a: ViewVenue, b: ViewVenue) => byRank(a.count, a, b.count, b);

const cellKey = (window: string, start: number) => `${window}@${start}`;

/**
 * The API's answers kept up to date from committed changes instead of summed per request: per partition
 * the absolute values the store holds, their sums per venue, and those sums in rank order. A change costs
 * O(log venues); a top-n answer O(n). Pure and synchronous: `MaintainedVenueQuery` feeds it.
 */
export class VenueView {
  private readonly partitions = new Map<PartitionId, PartitionView>();
  private readonly venues = new Map<number, ViewVenue>();
  private readonly bySlot: ViewVenue[] = [];
  /** Venues with a positive count and a display: the ones the API lists. */
  private readonly ranked = new SortedList<ViewVenue>(byVenueRank);
  /** The sum of their counts, kept as they move: a sampler asks for it every second. */
  private listedTotalValue = 0;
  /** Set while a partition is replaced: rankings are rebuilt once at the end instead of moved item by item. */
  private bulk = false;
  /** Most recently asked last. */
  private readonly windows = new Map<string, WindowIndex>();
  private readonly windowRetentionMs: number;
  private readonly maintainedWindows: number;

  constructor(options: VenueViewOptions = {}) {
    this.windowRetentionMs = options.windowRetentionMs ?? Number.POSITIVE_INFINITY;
    this.maintainedWindows = options.maintainedWindows ?? 8;
  }

  /** The position the view includes for a partition: 0 for one it has not seen. */
  offsetOf(partition: PartitionId): number {
    return this.partitions.get(partition)?.nextOffset ?? 0;
  }

  /**
   * Takes in the next record of a partition. `included` when the view already has it (a duplicate or an
   * older record); `gap` when records between the view and this one are missing: load the partition again.
   */
  apply(record: ChangeRecord): ApplyResult {
    const part = this.partitions.get(record.partition);
    const offset = part?.nextOffset ?? 0;
    if (record.nextOffset <= offset) return 'included';
    if (record.previousOffset !== offset) return 'gap';
    const target = part ?? this.createPartition(record.partition);
    for (const venue of record.venues) this.setVenue(target, venue);
    for (const cell of record.windows) this.setCell(target, cell.window, cell.start, cell.venueId, cell.count);
    this.advance(target, record.nextOffset, record.maxEventTime);
    return 'applied';
  }

  /**
   * Replaces what the view holds of a partition with a snapshot of it (a full read). Ignored when the view
   * is already past it: answers never go back to an older committed state.
   */
  replace(snapshot: Pick<PartitionSnapshot, 'partition' | 'nextOffset' | 'maxEventTime' | 'venues' | 'windows'>): void {
    const part = this.partitions.get(snapshot.partition) ?? this.createPartition(snapshot.partition);
    if (snapshot.nextOffset < part.nextOffset) return;
    this.bulk = true;
    const venueIds = new Set(snapshot.venues.map((venue) => venue.venueId));
    for (let slot = 0; slot < part.counts.length; slot++) {
      const venue = this.bySlot[slot];
      if (venue !== undefined && part.counts[slot] !== 0 && !venueIds.has(venue.venueId)) {
        this.setCount(part, venue.venueId, 0);
      }
    }
    const cells = new Set(snapshot.windows.map((cell) => `${cellKey(cell.window, cell.start)}#${cell.venueId}`));
    for (const [key, cell] of [...part.cells]) {
      for (const venueId of [...cell.counts.keys()]) {
        if (!cells.has(`${key}#${venueId}`)) this.setCellByKey(part, key, cell.start, venueId, 0);
      }
    }
    for (const venue of snapshot.venues) this.setVenue(part, venue);
    for (const cell of snapshot.windows) this.setCell(part, cell.window, cell.start, cell.venueId, cell.count);
    part.nextOffset = snapshot.nextOffset;
    part.maxEventTime = null;
    this.advance(part, snapshot.nextOffset, snapshot.maxEventTime);
    this.bulk = false;
    const ranked = this.bySlot.filter((venue) => listed(venue.count, venue));
    this.listedTotalValue = ranked.reduce((sum, venue) => sum + venue.count, 0);
    this.ranked.reset(ranked.sort(byVenueRank));
    this.windows.clear(); // ranked again when next asked
  }

  /** The greatest event time any partition has seen, or null before the first RSVP. */
  latestEventTime(): number | null {
    let latest: number | null = null;
    for (const part of this.partitions.values()) {
      if (part.maxEventTime !== null && (latest === null || part.maxEventTime > latest)) latest = part.maxEventTime;
    }
    return latest;
  }

  /** The sum of the all-time counts of the venues `top({})` lists, without listing them. */
  listedTotal(): number {
    return this.listedTotalValue;
  }

  /** The API's rows: all-time or one window, in rank order, the first `limit` of them. */
  top(request: TopVenuesRequest): VenueRow[] {
    if (request.window === undefined) {
      return this.ranked.first(request.limit).map((venue) => row(venue, venue.count));
    }
    return this.windowIndex(request.window)
      .ranked.first(request.limit)
      .map((entry) => row(entry.venue, entry.count));
  }

  private createPartition(partition: PartitionId): PartitionView {
    const part: PartitionView = {
      nextOffset: 0,
      maxEventTime: null,
      counts: new Float64Array(Math.max(1024, this.bySlot.length)),
      cells: new Map(),
    };
    this.partitions.set(partition, part);
    return part;
  }

  private advance(part: PartitionView, nextOffset: number, maxEventTime: number | null): void {
    part.nextOffset = nextOffset;
    if (maxEventTime !== null && (part.maxEventTime === null || maxEventTime > part.maxEventTime)) {
      part.maxEventTime = maxEventTime;
    }
    if (part.maxEventTime === null || !Number.isFinite(this.windowRetentionMs)) return;
    const oldest = part.maxEventTime - this.windowRetentionMs;
    for (const [key, cell] of [...part.cells]) {
      if (cell.start >= oldest) continue;
      for (const venueId of [...cell.counts.keys()]) this.setCellByKey(part, key, cell.start, venueId, 0);
      part.cells.delete(key);
    }
  }

  private setVenue(part: PartitionView, total: VenueTotal): void {
    // A record without a display only moved the count: the display shown before stands.
    if (total.display !== undefined) this.show(this.venueOf(total.venueId), total.display);
    this.setCount(part, total.venueId, total.count);
  }

  private setCount(part: PartitionView, venueId: number, count: number): void {
    const venue = this.venueOf(venueId);
    if (venue.slot >= part.counts.length) {
      const counts = new Float64Array(Math.max(venue.slot + 1, part.counts.length * 2));
      counts.set(part.counts);
      part.counts = counts;
    }
    const delta = count - (part.counts[venue.slot] as number);
    part.counts[venue.slot] = count;
    if (delta === 0) return;
    this.unrank(venue);
    venue.count += delta;
    this.rank(venue);
  }

  private setCell(part: PartitionView, window: string, start: number, venueId: number, count: number): void {
    this.setCellByKey(part, cellKey(window, start), start, venueId, count);
  }

  private setCellByKey(part: PartitionView, key: string, start: number, venueId: number, count: number): void {
    let cell = part.cells.get(key);
    if (cell === undefined) {
      cell = { start, counts: new Map() };
      part.cells.set(key, cell);
    }
    const delta = count - (cell.counts.get(venueId) ?? 0);
    if (count === 0) cell.counts.delete(venueId);
    else cell.counts.set(venueId, count);
    if (delta === 0) return;
    if (this.bulk) return; // the windows are ranked again afterwards
    for (const index of this.windows.values()) {
      if (index.cellKeys.has(key)) this.addToWindow(index, this.venueOf(venueId), delta);
    }
  }

  private addToWindow(index: WindowIndex, venue: ViewVenue, delta: number): void {
    let entry = index.entries.get(venue.venueId);
    if (entry === undefined) {
      entry = { venue, count: 0 };
      index.entries.set(venue.venueId, entry);
    }
    if (listed(entry.count, venue)) index.ranked.delete(entry);
    entry.count += delta;
    if (listed(entry.count, venue)) index.ranked.insert(entry);
    else if (entry.count === 0) index.entries.delete(venue.venueId);
  }

  /** Keeps the newest display; a new name moves the venue in every ranking (names break ties). */
  private show(venue: ViewVenue, display: VenueDisplay): void {
    if (venue.shown && !isNewer(display, venue)) return;
    if (this.bulk || (venue.shown && venue.venueName === display.venueName)) {
      venue.show(display);
      return;
    }
    this.unrank(venue);
    const entries = [...this.windows.values()].map((index) => [index, index.entries.get(venue.venueId)] as const);
    for (const [index, entry] of entries) if (entry && listed(entry.count, venue)) index.ranked.delete(entry);
    venue.show(display);
    this.rank(venue);
    for (const [index, entry] of entries) if (entry && listed(entry.count, venue)) index.ranked.insert(entry);
  }

  // In bulk (a partition replaced), `replace` ranks and sums again at the end.
  private unrank(venue: ViewVenue): void {
    if (this.bulk || !listed(venue.count, venue)) return;
    this.ranked.delete(venue);
    this.listedTotalValue -= venue.count;
  }

  private rank(venue: ViewVenue): void {
    if (this.bulk || !listed(venue.count, venue)) return;
    this.ranked.insert(venue);
    this.listedTotalValue += venue.count;
  }

  private venueOf(venueId: number): ViewVenue {
    let venue = this.venues.get(venueId);
    if (venue === undefined) {
      venue = new ViewVenue(venueId, this.bySlot.length);
      this.venues.set(venueId, venue);
      this.bySlot.push(venue);
    }
    return venue;
  }

  /** The window's ranking: kept up to date while it is among the most recently asked, summed again otherwise. */
  private windowIndex(window: WindowRef): WindowIndex {
    const key = `${window.sizeMs}/${window.slideMs}@${window.start}`;
    let index = this.windows.get(key);
    if (index !== undefined) {
      this.windows.delete(key);
      this.windows.set(key, index);
      return index;
    }
    const cellKeys = new Set(windowCells(window, window.start).map((cell) => cellKey(cell.window, cell.start)));
    index = {
      cellKeys,
      entries: new Map(),
      ranked: new SortedList<WindowEntry>((a, b) => byRank(a.count, a.venue, b.count, b.venue)),
    };
    const sums = new Map<number, number>();
    for (const part of this.partitions.values()) {
      for (const key of cellKeys) {
        for (const [venueId, count] of part.cells.get(key)?.counts ?? []) {
          sums.set(venueId, (sums.get(venueId) ?? 0) + count);
        }
      }
    }
    for (const [venueId, count] of sums) if (count !== 0) this.addToWindow(index, this.venueOf(venueId), count);
    this.windows.set(key, index);
    if (this.windows.size > this.maintainedWindows) this.windows.delete(this.windows.keys().next().value as string);
    return index;
  }
}

/** Listed in a ranking: a positive count and a way to show it. */
function listed(count: number, venue: ViewVenue): boolean {
  return count > 0 && venue.shown;
}

function row(venue: ViewVenue, count: number): VenueRow {
  return {
    venueId: venue.venueId,
    venueName: venue.venueName,
    groupCity: venue.groupCity,
    lat: venue.latText,
    lon: venue.lonText,
    count,
  };
}
