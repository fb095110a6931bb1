import type {
  PartitionCommit,
  PartitionSnapshot,
  RsvpState,
  VenueDisplay,
  VenueTotal,
  WindowCount,
} from '../ports/count-store.js';
import type { Rsvp } from '../rsvp/rsvp.js';
import { type WindowSpec, windowStartsContaining } from '../windows/window-spec.js';
import type { AggregationSettings } from './aggregation-settings.js';

export type ApplyOutcome =
  /** The message is now its RSVP's latest: counts moved accordingly. */
  | { readonly kind: 'counted'; readonly late: boolean }
  /** The RSVP already has a newer message: nothing was counted. */
  | { readonly kind: 'superseded' };

interface OpenWindow {
  readonly spec: WindowSpec;
  readonly start: number;
  readonly counts: Map<number, number>;
}

/**
 * The working state of one partition: every RSVP's latest message, all-time venue counts, and the
 * counts of the windows still open. Records the keys it changes so that a commit carries only those.
 */
export class PartitionAggregate {
  private nextOffsetValue: number;
  private committedOffset: number;
  private maxEventTimeValue: number | null;
  private readonly rsvps = new Map<number, RsvpState>();
  private readonly venues = new Map<number, VenueTotal>();
  private readonly windows = new Map<string, OpenWindow>();
  private readonly specs: ReadonlyMap<string, WindowSpec>;
  private readonly changedRsvps = new Set<number>();
  private readonly changedVenues = new Set<number>();
  private readonly changedCells = new Map<OpenWindow, Set<number>>();

  constructor(
    private readonly snapshot: Pick<PartitionSnapshot, 'partition'> & Partial<PartitionSnapshot>,
    private readonly settings: AggregationSettings,
  ) {
    this.specs = new Map(settings.windows.map((spec) => [spec.name, spec]));
    this.nextOffsetValue = snapshot.nextOffset ?? 0;
    this.committedOffset = this.nextOffsetValue;
    this.maxEventTimeValue = snapshot.maxEventTime ?? null;
    for (const rsvp of snapshot.rsvps ?? []) this.rsvps.set(rsvp.rsvpId, rsvp);
    for (const venue of snapshot.venues ?? []) this.venues.set(venue.venueId, venue);
    for (const cell of snapshot.windows ?? []) {
      const spec = this.specs.get(cell.window);
      if (spec && !this.isClosed(spec, cell.start))
        this.openWindow(spec, cell.start).counts.set(cell.venueId, cell.count);
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
    if (rsvp.venue !== null) {
      this.showVenue(rsvp.venue.venueId, {
        venueName: rsvp.venue.venueName,
        groupCity: rsvp.group.groupCity,
        lat: rsvp.venue.lat,
        lon: rsvp.venue.lon,
        mtime: rsvp.mtime,
        rsvpId: rsvp.rsvpId,
        offset,
      });
    }
    const previous = this.rsvps.get(rsvp.rsvpId);
    // The latest message wins; on equal mtime the later one in the stream, which is this one.
    if (previous !== undefined && rsvp.mtime < previous.mtime) return { kind: 'superseded' };

    const venueId = rsvp.response === 'yes' && rsvp.venue !== null ? rsvp.venue.venueId : null;
    let late = false;
    if (previous !== undefined && previous.venueId !== null) {
      late = this.count(previous.venueId, previous.mtime, -1) || late;
    }
    if (venueId !== null) late = this.count(venueId, rsvp.mtime, +1) || late;
    this.rsvps.set(rsvp.rsvpId, { rsvpId: rsvp.rsvpId, mtime: rsvp.mtime, venueId });
    this.changedRsvps.add(rsvp.rsvpId);
    return { kind: 'counted', late };
  }

  /**
   * The changes since the last commit, as absolute values. Forgets windows that have closed: their
   * counts are final and already stored (or in this commit).
   */
  takeCommit(): PartitionCommit {
    const rsvps: RsvpState[] = [];
    for (const id of this.changedRsvps) rsvps.push(this.rsvps.get(id) as RsvpState);
    const venues: VenueTotal[] = [];
    for (const id of this.changedVenues) venues.push(this.venues.get(id) as VenueTotal);
    const windows: WindowCount[] = [];
    for (const [window, venueIds] of this.changedCells) {
      for (const venueId of venueIds) {
        const count = window.counts.get(venueId) ?? 0;
        windows.push({ window: window.spec.name, start: window.start, venueId, count });
      }
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
    this.changedCells.clear();
    for (const [key, window] of this.windows) {
      if (this.isClosed(window.spec, window.start)) this.windows.delete(key);
    }
    return commit;
  }

  /** Adds `delta` at the venue all-time and in its open windows; true when a closed window was left as it was. */
  private count(venueId: number, mtime: number, delta: number): boolean {
    const total = this.venues.get(venueId) as VenueTotal; // every counted venue has been shown first
    this.venues.set(venueId, { ...total, count: total.count + delta });
    this.changedVenues.add(venueId);
    let late = false;
    for (const spec of this.settings.windows) {
      for (const start of windowStartsContaining(spec, mtime)) {
        if (this.isClosed(spec, start)) {
          late = true;
          continue;
        }
        const window = this.openWindow(spec, start);
        window.counts.set(venueId, (window.counts.get(venueId) ?? 0) + delta);
        const changed = this.changedCells.get(window);
        if (changed === undefined) this.changedCells.set(window, new Set([venueId]));
        else changed.add(venueId);
      }
    }
    return late;
  }

  private showVenue(venueId: number, display: VenueDisplay): void {
    const current = this.venues.get(venueId);
    if (current === undefined) {
      this.venues.set(venueId, { venueId, count: 0, display });
    } else if (isNewer(display, current.display)) {
      this.venues.set(venueId, { ...current, display });
    } else {
      return;
    }
    this.changedVenues.add(venueId);
  }

  private isClosed(spec: WindowSpec, start: number): boolean {
    if (this.maxEventTimeValue === null) return false;
    const watermark = this.maxEventTimeValue - this.settings.maxOutOfOrdernessMs;
    return watermark >= start + spec.sizeMs + this.settings.allowedLatenessMs;
  }

  private openWindow(spec: WindowSpec, start: number): OpenWindow {
    const key = `${spec.name}@${start}`;
    let window = this.windows.get(key);
    if (window === undefined) {
      window = { spec, start, counts: new Map() };
      this.windows.set(key, window);
    }
    return window;
  }
}

/** Orders venue displays by the message they came from: (mtime, rsvpId, offset). */
export function isNewer(a: VenueDisplay, b: VenueDisplay): boolean {
  if (a.mtime !== b.mtime) return a.mtime > b.mtime;
  if (a.rsvpId !== b.rsvpId) return a.rsvpId > b.rsvpId;
  return a.offset > b.offset;
}
