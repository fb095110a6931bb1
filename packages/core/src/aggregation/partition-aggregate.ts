import type { Rsvp } from '../rsvp/rsvp.js';
import { lateCellName, paneCellName, paneMs, type WindowSpec } from '../windows/window-spec.js';
import type { AggregationSettings } from './aggregation-settings.js';
import type {
  PartitionCommit,
  PartitionId,
  PartitionSnapshot,
  RsvpBucket,
  RsvpState,
  VenueDisplay,
  VenueTotal,
  WindowCount,
} from './partition-state.js';
import { bucketExpired, rsvpBucketOf } from './rsvp-buckets.js';
import { RsvpTable } from './rsvp-table.js';
import { isNewerMessage, VenueTallies } from './venue-tallies.js';

export type ApplyOutcome =
  /** The message is now its RSVP's latest: counts moved accordingly. */
  | { readonly kind: 'counted'; readonly late: boolean }
  /** The RSVP already has a newer message: nothing was counted. */
  | { readonly kind: 'superseded' }
  /** The RSVP's bucket has expired (`rsvpRetentionMs`): its state is no longer kept, so nothing was counted. */
  | { readonly kind: 'expired' };

/** Venue counts of one stored window cell: a pane, or a closed window's late correction. */
interface Cell {
  readonly name: string;
  readonly start: number;
  readonly counts: Map<number, number>;
  /** Venues whose count changed since the last commit. */
  readonly changed: Set<number>;
}

/** A window family's cells that may still change (numbers, not string keys: this is the hot path). */
interface Family {
  readonly spec: WindowSpec;
  readonly paneMs: number;
  readonly paneName: string;
  readonly lateName: string;
  /** By pane start. */
  readonly panes: Map<number, Cell>;
  /** By window start. */
  readonly corrections: Map<number, Cell>;
}

const COUNTED: ApplyOutcome = { kind: 'counted', late: false };
const COUNTED_LATE: ApplyOutcome = { kind: 'counted', late: true };
const SUPERSEDED: ApplyOutcome = { kind: 'superseded' };
const EXPIRED: ApplyOutcome = { kind: 'expired' };

/** A kept RSVP bucket: its latest activity, and whether memory holds all its states. */
interface Bucket {
  latest: number;
  loaded: boolean;
  /** Every RSVP id in it, when this aggregate made the bucket and still holds all of it; null otherwise. */
  ids: number[] | null;
  /** Rows the store holds for it since it was last written whole (a commit adds one per bucket it touches). */
  rows: number;
}

/** A bucket made here is written whole once it has this many rows, replacing them: its rows stay few. */
const ROWS_BEFORE_REWRITE = 16;

/**
 * The working state of one partition: every RSVP's latest message, all-time venue counts, and the
 * counts of the windows still open. Records the keys it changes so that a commit carries only those.
 */
export class PartitionAggregate {
  /** Only the name: holding the loaded snapshot would keep all it held alive as long as the aggregate. */
  readonly partition: PartitionId;
  private nextOffsetValue: number;
  private committedOffset: number;
  private maxEventTimeValue: number | null;
  private readonly rsvps = new RsvpTable();
  /** Every RSVP bucket kept, stored or not, by bucket. */
  private readonly buckets = new Map<number, Bucket>();
  private expiredBucketMax = Number.NEGATIVE_INFINITY;
  private readonly changedBuckets = new Set<number>();
  private greatestKept: number | undefined;
  private readonly retentionMs: number;
  private readonly venues = new VenueTallies();
  /** The newest display of each venue shown since the last commit (newer than what is stored). */
  private readonly shownVenues = new Map<number, VenueDisplay>();
  private readonly families: Family[];
  private readonly changedRsvps = new Set<number>();
  private readonly changedVenues = new Set<number>();
  private readonly changedCells = new Set<Cell>();

  constructor(
    snapshot: Pick<PartitionSnapshot, 'partition'> & Partial<PartitionSnapshot>,
    private readonly settings: AggregationSettings,
  ) {
    this.partition = snapshot.partition;
    this.families = settings.windows.map((spec) => ({
      spec,
      paneMs: paneMs(spec),
      paneName: paneCellName(spec),
      lateName: lateCellName(spec),
      panes: new Map(),
      corrections: new Map(),
    }));
    this.retentionMs = settings.rsvpRetentionMs ?? Number.POSITIVE_INFINITY;
    this.nextOffsetValue = snapshot.nextOffset ?? 0;
    this.committedOffset = this.nextOffsetValue;
    this.maxEventTimeValue = snapshot.maxEventTime ?? null;
    this.expiredBucketMax = snapshot.expiredBucketMax ?? Number.NEGATIVE_INFINITY;
    // States come with all their buckets, or none (loaded without them: read back bucket by bucket).
    const loaded = (snapshot.rsvps?.length ?? 0) > 0;
    for (const bucket of snapshot.rsvpBuckets ?? []) {
      this.buckets.set(bucket.bucket, { latest: bucket.latest, loaded, ids: null, rows: 0 });
    }
    for (const rsvp of snapshot.rsvps ?? []) this.rsvps.set(rsvp.rsvpId, rsvp.mtime, rsvp.venueId);
    for (const venue of snapshot.venues ?? []) {
      // A stored venue has its display (written by the commit that first counted there); one without is
      // kept with its count, and the next message naming the venue shows it.
      this.venues.add(venue.venueId, venue.count, venue.display);
    }
    for (const cell of snapshot.windows ?? []) {
      for (const family of this.families) {
        if (cell.window === family.paneName && !this.paneFinal(family, cell.start)) {
          cellAt(family.panes, family.paneName, cell.start).counts.set(cell.venueId, cell.count);
        } else if (cell.window === family.lateName && !this.correctionFinal(family, cell.start)) {
          cellAt(family.corrections, family.lateName, cell.start).counts.set(cell.venueId, cell.count);
        }
      }
    }
  }

  /** The offset of the first record not yet applied. */
  get nextOffset(): number {
    return this.nextOffsetValue;
  }

  /** RSVP states held in memory. */
  get rsvpCount(): number {
    return this.rsvps.size;
  }

  /** True when the RSVP's state is in memory (it may still be in the store when it is not). */
  holdsRsvp(rsvpId: number): boolean {
    return this.rsvps.slotOf(rsvpId) >= 0;
  }

  /** The bucket of this RSVP when the store holds states of it that memory does not: it must be read back. */
  bucketToLoad(rsvpId: number): number | null {
    const bucket = rsvpBucketOf(rsvpId);
    const kept = this.buckets.get(bucket);
    return kept !== undefined && !kept.loaded && !this.expired(bucket) ? bucket : null;
  }

  /** Takes in the states of whole buckets read back from the store; never overwrites one held. */
  rememberBuckets(buckets: readonly number[], states: readonly RsvpState[]): void {
    for (const state of states) {
      if (!this.holdsRsvp(state.rsvpId)) this.rsvps.set(state.rsvpId, state.mtime, state.venueId);
    }
    for (const bucket of buckets) {
      const kept = this.buckets.get(bucket);
      if (kept !== undefined) kept.loaded = true;
    }
  }

  /** Forgets every RSVP state; only right after a commit, when they are all in the store. */
  forgetRsvps(): void {
    if (this.changedRsvps.size > 0) throw new Error('RSVP states changed since the last commit');
    this.rsvps.clear();
    for (const bucket of this.buckets.values()) {
      bucket.loaded = false;
      bucket.ids = null;
    }
  }

  /** Marks every record before `offset` as handled (applied, filtered or dead-lettered). */
  advanceTo(offset: number): void {
    if (offset > this.nextOffsetValue) this.nextOffsetValue = offset;
  }

  apply(rsvp: Rsvp, offset: number): ApplyOutcome {
    if (this.maxEventTimeValue === null || rsvp.mtime > this.maxEventTimeValue) this.maxEventTimeValue = rsvp.mtime;
    const bucket = rsvpBucketOf(rsvp.rsvpId);
    if (this.expired(bucket)) return EXPIRED;
    if (rsvp.venue !== null) this.showVenue(rsvp, offset);
    const slot = this.rsvps.slotOf(rsvp.rsvpId);
    const previousMtime = slot < 0 ? 0 : this.rsvps.mtime(slot);
    // The latest message wins; on equal mtime the later one in the stream, which is this one.
    if (slot >= 0 && rsvp.mtime < previousMtime) return SUPERSEDED;

    const venueId = rsvp.response === 'yes' && rsvp.venue !== null ? rsvp.venue.venueId : null;
    const previousVenue = slot < 0 ? null : this.rsvps.venueId(slot);
    this.rsvps.set(rsvp.rsvpId, rsvp.mtime, venueId);
    this.changedRsvps.add(rsvp.rsvpId);
    // The bucket lives as long as its latest activity: this message, or the Meetup event it is for.
    const latest = Math.max(rsvp.mtime, rsvp.event.time ?? rsvp.mtime);
    const kept = this.buckets.get(bucket);
    if (kept === undefined) {
      this.buckets.set(bucket, { latest, loaded: true, ids: [rsvp.rsvpId], rows: 0 });
      this.greatestKept = undefined;
    } else {
      if (latest > kept.latest) kept.latest = latest;
      if (slot < 0) kept.ids?.push(rsvp.rsvpId);
    }
    this.changedBuckets.add(bucket);
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
   * The changes since the last commit, as absolute values. Forgets the cells that can no longer change:
   * their counts are final and already stored (or in this commit).
   */
  takeCommit(): PartitionCommit {
    // Buckets past their retention go, with their states; their messages are expired from now on.
    const expiredBuckets: number[] = [];
    for (const [bucket, kept] of this.buckets) {
      if (this.bucketPast(kept)) {
        expiredBuckets.push(bucket);
        this.buckets.delete(bucket);
        this.greatestKept = undefined;
        if (bucket > this.expiredBucketMax) this.expiredBucketMax = bucket;
      }
    }
    // A bucket is written as the states the commit changed (a row more), or whole once it has many rows.
    const rsvpBuckets: RsvpBucket[] = [];
    const wholeBuckets: number[] = [];
    const state = (rsvpId: number): RsvpState => {
      const slot = this.rsvps.slotOf(rsvpId);
      return { rsvpId, mtime: this.rsvps.mtime(slot), venueId: this.rsvps.venueId(slot) };
    };
    const rsvps: RsvpState[] = [];
    for (const bucket of this.changedBuckets) {
      const kept = this.buckets.get(bucket);
      if (kept === undefined) continue;
      rsvpBuckets.push({ bucket, latest: kept.latest });
      if (kept.ids !== null && kept.rows >= ROWS_BEFORE_REWRITE) {
        wholeBuckets.push(bucket);
        for (const rsvpId of kept.ids) rsvps.push(state(rsvpId));
        kept.rows = 1;
      } else {
        kept.rows += 1;
      }
    }
    const whole = new Set(wholeBuckets);
    for (const rsvpId of this.changedRsvps) {
      const bucket = rsvpBucketOf(rsvpId);
      if (this.buckets.has(bucket) && !whole.has(bucket)) rsvps.push(state(rsvpId));
    }
    const venues: VenueTotal[] = [];
    for (const venueId of this.changedVenues) {
      const count = this.venues.count(this.venues.slotOf(venueId));
      const display = this.shownVenues.get(venueId);
      // Only a newer display is written: a commit that just moves a count leaves the stored one.
      venues.push(display === undefined ? { venueId, count } : { venueId, count, display });
    }
    const windows: WindowCount[] = [];
    for (const cell of this.changedCells) {
      for (const venueId of cell.changed) {
        windows.push({ window: cell.name, start: cell.start, venueId, count: cell.counts.get(venueId) ?? 0 });
      }
      cell.changed.clear();
    }
    const commit: PartitionCommit = {
      partition: this.partition,
      expectedNextOffset: this.committedOffset,
      nextOffset: this.nextOffsetValue,
      maxEventTime: this.maxEventTimeValue,
      rsvps,
      rsvpBuckets,
      wholeBuckets,
      expiredBuckets,
      expiredBucketMax: Number.isFinite(this.expiredBucketMax) ? this.expiredBucketMax : null,
      venues,
      windows,
    };
    this.committedOffset = this.nextOffsetValue;
    this.changedRsvps.clear();
    this.changedBuckets.clear();
    this.changedVenues.clear();
    this.shownVenues.clear();
    this.changedCells.clear();
    for (const family of this.families) {
      for (const start of family.panes.keys()) if (this.paneFinal(family, start)) family.panes.delete(start);
      for (const start of family.corrections.keys()) {
        if (this.correctionFinal(family, start)) family.corrections.delete(start);
      }
    }
    return commit;
  }

  /**
   * Adds `delta` at the venue all-time and in its pane of every family, so in every open window holding
   * mtime; closed windows holding it are left as they were (by a correction when the pane is still open).
   * True when a closed window was left as it was.
   */
  private count(venueId: number, mtime: number, delta: number): boolean {
    this.venues.addToCount(this.venues.slotOf(venueId), delta); // every counted venue has been shown first
    this.changedVenues.add(venueId);
    let late = false;
    for (const family of this.families) {
      const { spec } = family;
      const closedUpTo = this.closedUpTo(spec);
      // The windows holding mtime start at multiples of the slide in (mtime - size, mtime].
      if (Math.floor(mtime / spec.slideMs) * spec.slideMs <= closedUpTo) {
        late = true; // the newest is closed, so all are: the pane is final
        continue;
      }
      const pane = Math.floor(mtime / family.paneMs) * family.paneMs;
      this.add(cellAt(family.panes, family.paneName, pane), venueId, delta);
      for (
        let start = (Math.floor((mtime - spec.sizeMs) / spec.slideMs) + 1) * spec.slideMs;
        start <= closedUpTo;
        start += spec.slideMs
      ) {
        late = true;
        this.add(cellAt(family.corrections, family.lateName, start), venueId, -delta);
      }
    }
    return late;
  }

  private add(cell: Cell, venueId: number, delta: number): void {
    cell.counts.set(venueId, (cell.counts.get(venueId) ?? 0) + delta);
    cell.changed.add(venueId);
    this.changedCells.add(cell);
  }

  /** True when two event times fall in the same pane, hence the same windows, of every family. */
  private sameWindows(previousMtime: number, mtime: number): boolean {
    for (const family of this.families) {
      if (Math.floor(previousMtime / family.paneMs) !== Math.floor(mtime / family.paneMs)) return false;
    }
    return true;
  }

  private showVenue(rsvp: Rsvp, offset: number): void {
    const venue = rsvp.venue as NonNullable<Rsvp['venue']>;
    const slot = this.venues.slotOf(venue.venueId);
    if (slot >= 0 && !this.venues.isNewerThanShown(slot, rsvp.mtime, rsvp.rsvpId, offset)) return;
    const display: VenueDisplay = {
      venueName: venue.venueName,
      groupCity: rsvp.group.groupCity,
      lat: venue.lat,
      lon: venue.lon,
      mtime: rsvp.mtime,
      rsvpId: rsvp.rsvpId,
      offset,
    };
    if (slot < 0) this.venues.add(venue.venueId, 0, display);
    else this.venues.show(slot, rsvp.mtime, rsvp.rsvpId, offset);
    this.shownVenues.set(venue.venueId, display);
    this.changedVenues.add(venue.venueId);
  }

  private watermark(): number {
    return this.maxEventTimeValue === null
      ? Number.NEGATIVE_INFINITY
      : this.maxEventTimeValue - this.settings.maxOutOfOrdernessMs;
  }

  private bucketPast(kept: Bucket): boolean {
    return bucketExpired(kept.latest, this.retentionMs, this.watermark());
  }

  /**
   * True when messages of this bucket are expired: it is kept and past its retention, or it is not kept and
   * a newer bucket (greater ids, so younger RSVPs) has expired already (its own RSVPs are older still).
   */
  private expired(bucket: number): boolean {
    if (this.retentionMs === Number.POSITIVE_INFINITY) return false;
    const kept = this.buckets.get(bucket);
    if (kept !== undefined) return this.bucketPast(kept);
    if (bucket <= this.expiredBucketMax) return true;
    // New RSVPs (greater ids than any kept) are the common case, and need no search.
    if (bucket > this.greatestBucket()) return false;
    for (const [other, state] of this.buckets) if (other > bucket && this.bucketPast(state)) return true;
    return false;
  }

  /** The greatest bucket kept, remembered until a bucket is added or one goes. */
  private greatestBucket(): number {
    if (this.greatestKept === undefined) {
      this.greatestKept = Number.NEGATIVE_INFINITY;
      for (const bucket of this.buckets.keys()) if (bucket > this.greatestKept) this.greatestKept = bucket;
    }
    return this.greatestKept;
  }

  /** Windows of this family starting at or before this are closed: the watermark passed their end + lateness. */
  private closedUpTo(spec: WindowSpec): number {
    return this.watermark() - spec.sizeMs - this.settings.allowedLatenessMs;
  }

  /** A pane is final once the newest window holding it has closed. */
  private paneFinal(family: Family, start: number): boolean {
    return Math.floor(start / family.spec.slideMs) * family.spec.slideMs <= this.closedUpTo(family.spec);
  }

  /** A window's correction is final once its last pane is. */
  private correctionFinal(family: Family, start: number): boolean {
    return this.paneFinal(family, start + family.spec.sizeMs - family.paneMs);
  }
}

function cellAt(cells: Map<number, Cell>, name: string, start: number): Cell {
  let cell = cells.get(start);
  if (cell === undefined) {
    cell = { name, start, counts: new Map(), changed: new Set() };
    cells.set(start, cell);
  }
  return cell;
}

/** Orders venue displays by the message they came from: (mtime, rsvpId, offset). */
export function isNewer(a: VenueDisplay, b: VenueDisplay): boolean {
  return isNewerMessage(a.mtime, a.rsvpId, a.offset, b.mtime, b.rsvpId, b.offset);
}
