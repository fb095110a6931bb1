import type {
  PartitionCommit,
  PartitionSnapshot,
  RsvpState,
  VenueDisplay,
  VenueTotal,
  WindowCount,
} from '../ports/count-store.js';
import type { Rsvp } from '../rsvp/rsvp.js';
import type { WindowSpec } from '../windows/window-spec.js';
import type { AggregationSettings } from './aggregation-settings.js';
import { RsvpTable } from './rsvp-table.js';
import { VenueTally } from './venue-tally.js';

export type ApplyOutcome =
  /** The message is now its RSVP's latest: counts moved accordingly. */
  | { readonly kind: 'counted'; readonly late: boolean }
  /** The RSVP already has a newer message: nothing was counted. */
  | { readonly kind: 'superseded' };

interface OpenWindow {
  readonly spec: WindowSpec;
  readonly start: number;
  readonly counts: Map<number, number>;
  /** Venues whose count changed since the last commit. */
  readonly changed: Set<number>;
}

const COUNTED: ApplyOutcome = { kind: 'counted', late: false };
const COUNTED_LATE: ApplyOutcome = { kind: 'counted', late: true };
const SUPERSEDED: ApplyOutcome = { kind: 'superseded' };

/**
 * The working state of one partition: every RSVP's latest message, all-time venue counts, and the
 * counts of the windows still open. Records the keys it changes so that a commit carries only those.
 */
export class PartitionAggregate {
  private nextOffsetValue: number;
  private committedOffset: number;
  private maxEventTimeValue: number | null;
  private readonly rsvps = new RsvpTable();
  private readonly venues = new Map<number, VenueTally>();
  /** Open windows per family, by start (numbers, not string keys: this is the hot path). */
  private readonly windows: Map<number, OpenWindow>[];
  private readonly changedRsvps = new Set<number>();
  private readonly changedVenues = new Set<number>();
  private readonly changedWindows = new Set<OpenWindow>();

  constructor(
    private readonly snapshot: Pick<PartitionSnapshot, 'partition'> & Partial<PartitionSnapshot>,
    private readonly settings: AggregationSettings,
  ) {
    this.windows = settings.windows.map(() => new Map());
    this.nextOffsetValue = snapshot.nextOffset ?? 0;
    this.committedOffset = this.nextOffsetValue;
    this.maxEventTimeValue = snapshot.maxEventTime ?? null;
    for (const rsvp of snapshot.rsvps ?? []) this.rsvps.set(rsvp.rsvpId, rsvp.mtime, rsvp.venueId);
    for (const venue of snapshot.venues ?? []) {
      this.venues.set(venue.venueId, new VenueTally(venue.venueId, venue.count, venue.display));
    }
    for (const cell of snapshot.windows ?? []) {
      const family = settings.windows.findIndex((spec) => spec.name === cell.window);
      if (family >= 0 && cell.start > this.closedUpTo(family)) {
        this.openWindow(family, cell.start).counts.set(cell.venueId, cell.count);
      }
    }
  }

  get partition(): string {
    return this.snapshot.partition;
  }

  /** The offset of the first record not yet applied. */
  get nextOffset(): number {
    return this.nextOffsetValue;
  }

  /** Marks every record before `offset` as handled (applied, filtered or dead-lettered). */
  advanceTo(offset: number): void {
    if (offset > this.nextOffsetValue) this.nextOffsetValue = offset;
  }

  apply(rsvp: Rsvp, offset: number): ApplyOutcome {
    if (this.maxEventTimeValue === null || rsvp.mtime > this.maxEventTimeValue) this.maxEventTimeValue = rsvp.mtime;
    if (rsvp.venue !== null) this.showVenue(rsvp, offset);
    const slot = this.rsvps.slotOf(rsvp.rsvpId);
    const previousMtime = slot < 0 ? 0 : this.rsvps.mtime(slot);
    // The latest message wins; on equal mtime the later one in the stream, which is this one.
    if (slot >= 0 && rsvp.mtime < previousMtime) return SUPERSEDED;

    const venueId = rsvp.response === 'yes' && rsvp.venue !== null ? rsvp.venue.venueId : null;
    const previousVenue = slot < 0 ? null : this.rsvps.venueId(slot);
    this.rsvps.set(rsvp.rsvpId, rsvp.mtime, venueId);
    this.changedRsvps.add(rsvp.rsvpId);
    // A re-send that stays at the same venue, in the same windows, moves nothing.
    if (previousVenue === venueId && (venueId === null || this.sameWindows(previousMtime, rsvp.mtime))) {
      return COUNTED;
    }
    let late = false;
    if (previousVenue !== null) late = this.count(previousVenue, previousMtime, -1);
    if (venueId !== null) late = this.count(venueId, rsvp.mtime, +1) || late;
    return late ? COUNTED_LATE : COUNTED;
  }

  /**
   * The changes since the last commit, as absolute values. Forgets windows that have closed: their
   * counts are final and already stored (or in this commit).
   */
  takeCommit(): PartitionCommit {
    const rsvps: RsvpState[] = [];
    for (const rsvpId of this.changedRsvps) {
      const slot = this.rsvps.slotOf(rsvpId);
      rsvps.push({ rsvpId, mtime: this.rsvps.mtime(slot), venueId: this.rsvps.venueId(slot) });
    }
    const venues: VenueTotal[] = [];
    for (const id of this.changedVenues) {
      venues.push((this.venues.get(id) as VenueTally).total());
    }
    const windows: WindowCount[] = [];
    for (const window of this.changedWindows) {
      for (const venueId of window.changed) {
        const count = window.counts.get(venueId) ?? 0;
        windows.push({ window: window.spec.name, start: window.start, venueId, count });
      }
      window.changed.clear();
    }
    const commit: PartitionCommit = {
      partition: this.partition,
      expectedNextOffset: this.committedOffset,
      nextOffset: this.nextOffsetValue,
      maxEventTime: this.maxEventTimeValue,
      rsvps,
      venues,
      windows,
    };
    this.committedOffset = this.nextOffsetValue;
    this.changedRsvps.clear();
    this.changedVenues.clear();
    this.changedWindows.clear();
    this.windows.forEach((open, family) => {
      const closedUpTo = this.closedUpTo(family);
      for (const start of open.keys()) if (start <= closedUpTo) open.delete(start);
    });
    return commit;
  }

  /** Adds `delta` at the venue all-time and in its open windows; true when a closed window was left as it was. */
  private count(venueId: number, mtime: number, delta: number): boolean {
    const venue = this.venues.get(venueId) as VenueTally; // every counted venue has been shown first
    venue.count += delta;
    this.changedVenues.add(venueId);
    let late = false;
    const specs = this.settings.windows;
    for (let family = 0; family < specs.length; family++) {
      const spec = specs[family] as WindowSpec;
      const closedUpTo = this.closedUpTo(family);
      // The windows containing mtime, newest first: once one is closed, the older ones are too.
      for (
        let start = Math.floor(mtime / spec.slideMs) * spec.slideMs;
        start > mtime - spec.sizeMs;
        start -= spec.slideMs
      ) {
        if (start <= closedUpTo) {
          late = true;
          break;
        }
        const window = this.openWindow(family, start);
        window.counts.set(venueId, (window.counts.get(venueId) ?? 0) + delta);
        window.changed.add(venueId);
        this.changedWindows.add(window);
      }
    }
    return late;
  }

  /** True when two event times fall in the same windows of every family. */
  private sameWindows(previousMtime: number, mtime: number): boolean {
    for (const spec of this.settings.windows) {
      if (Math.floor(previousMtime / spec.slideMs) !== Math.floor(mtime / spec.slideMs)) return false;
    }
    return true;
  }

  private showVenue(rsvp: Rsvp, offset: number): void {
    const venue = rsvp.venue as NonNullable<Rsvp['venue']>;
    const current = this.venues.get(venue.venueId);
    if (current !== undefined && !isNewerMessage(rsvp.mtime, rsvp.rsvpId, offset, current)) return;
    const display: VenueDisplay = {
      venueName: venue.venueName,
      groupCity: rsvp.group.groupCity,
      lat: venue.lat,
      lon: venue.lon,
      mtime: rsvp.mtime,
      rsvpId: rsvp.rsvpId,
      offset,
    };
    if (current === undefined) this.venues.set(venue.venueId, new VenueTally(venue.venueId, 0, display));
    else current.show(display);
    this.changedVenues.add(venue.venueId);
  }

  /** Windows of this family starting at or before this are closed: the watermark passed their end + lateness. */
  private closedUpTo(family: number): number {
    if (this.maxEventTimeValue === null) return Number.NEGATIVE_INFINITY;
    const spec = this.settings.windows[family] as WindowSpec;
    const watermark = this.maxEventTimeValue - this.settings.maxOutOfOrdernessMs;
    return watermark - spec.sizeMs - this.settings.allowedLatenessMs;
  }

  private openWindow(family: number, start: number): OpenWindow {
    const open = this.windows[family] as Map<number, OpenWindow>;
    let window = open.get(start);
    if (window === undefined) {
      window = { spec: this.settings.windows[family] as WindowSpec, start, counts: new Map(), changed: new Set() };
      open.set(start, window);
    }
    return window;
  }
}

/** Orders venue displays by the message they came from: (mtime, rsvpId, offset). */
export function isNewer(a: VenueDisplay, b: VenueDisplay): boolean {
  return isNewerMessage(a.mtime, a.rsvpId, a.offset, b);
}

function isNewerMessage(
  mtime: number,
  rsvpId: number,
  offset: number,
  than: Pick<VenueDisplay, 'mtime' | 'rsvpId' | 'offset'>,
): boolean {
  if (mtime !== than.mtime) return mtime > than.mtime;
  if (rsvpId !== than.rsvpId) return rsvpId > than.rsvpId;
  return offset > than.offset;
}
