import {
  type ChangeRecord,
  type CountChangeFeed,
  type CountStore,
  changeRecordOf,
  emptySnapshot,
  type LoadOptions,
  type PartitionCommit,
  type PartitionId,
  type PartitionSnapshot,
  type RsvpState,
  RsvpTable,
  rsvpBucketOf,
  StaleWriterError,
  type TopVenuesRequest,
  type VenueCountQuery,
  type VenueDisplay,
  VenueRanking,
  type VenueRow,
  type VenueTotal,
  type WindowCount,
  windowCells,
} from '@rsvp/core';

interface StoredPartition {
  nextOffset: number;
  maxEventTime: number | null;
  /** RSVP states by bucket, and each bucket's latest activity. */
  readonly rsvps: Map<number, RsvpTable>;
  readonly buckets: Map<number, number>;
  expiredBucketMax: number | null;
  readonly venues: Map<number, StoredVenue>;
  /** Window cell name → start → venue id → count. */
  readonly windows: Map<string, Map<number, Map<number, number>>>;
}

/** A venue row: its count and display, as the commits left them. */
interface StoredVenue {
  readonly venueId: number;
  count: number;
  display?: VenueDisplay;
}

export interface MemoryCountStoreOptions {
  /**
   * Windows that started longer than this before a partition's latest event time are forgotten, so that a
   * long run does not grow without bound. Must exceed the largest window plus its lateness (the API asks
   * only for current windows). All of them are kept when absent.
   */
  readonly windowRetentionMs?: number;
  /** Change records kept per partition for readers (`changesSince`); one further behind reads the partition again. */
  readonly changesKept?: number;
}

/**
 * Counts in this process's memory: the embedded default, and the oracle's twin in tests. Its `topVenues`
 * sums every partition per request (the plain answer the maintained view is checked against); as a
 * `CountChangeFeed` it keeps each commit's change record for `MaintainedVenueQuery`.
 */
export class MemoryCountStore implements CountStore, VenueCountQuery, CountChangeFeed {
  private readonly partitions = new Map<PartitionId, StoredPartition>();
  private readonly windowRetentionMs: number;
  private readonly changesKept: number;
  private readonly changes = new Map<PartitionId, ChangeRecord[]>();
  private readonly listeners = new Set<() => void>();

  constructor(options: MemoryCountStoreOptions = {}) {
    this.windowRetentionMs = options.windowRetentionMs ?? Number.POSITIVE_INFINITY;
    if (!(this.windowRetentionMs > 0)) throw new RangeError('windowRetentionMs must be positive');
    this.changesKept = options.changesKept ?? 1_000;
    if (!(this.changesKept >= 1)) throw new RangeError('changesKept must be at least 1');
  }
  /** Answers computed since the last commit: the API asks far more often than batches arrive. */
  private answers = new Map<string, VenueRow[]>();

  async load(partition: PartitionId, options: LoadOptions = {}): Promise<PartitionSnapshot> {
    const stored = this.partitions.get(partition);
    if (stored === undefined) return emptySnapshot(partition);
    const windows: WindowCount[] = [];
    for (const [window, starts] of stored.windows) {
      for (const [start, counts] of starts) {
        for (const [venueId, count] of counts) windows.push({ window, start, venueId, count });
      }
    }
    return {
      partition,
      nextOffset: stored.nextOffset,
      maxEventTime: stored.maxEventTime,
      rsvps: options.rsvps === false ? [] : [...stored.rsvps.values()].flatMap((table) => [...table.states()]),
      rsvpBuckets: [...stored.buckets].map(([bucket, latest]) => ({ bucket, latest })),
      expiredBucketMax: stored.expiredBucketMax,
      venues: [...stored.venues.values()].map((venue): VenueTotal => ({ ...venue })),
      windows,
    };
  }

  async loadRsvpBuckets(partition: PartitionId, buckets: readonly number[]): Promise<RsvpState[]> {
    const stored = this.partitions.get(partition);
    return buckets.flatMap((bucket) => [...(stored?.rsvps.get(bucket)?.states() ?? [])]);
  }

  async commit(commit: PartitionCommit): Promise<void> {
    const stored = this.partitions.get(commit.partition);
    const storedOffset = stored?.nextOffset ?? 0;
    if (storedOffset !== commit.expectedNextOffset) {
      throw new StaleWriterError(commit.partition, commit.expectedNextOffset, stored ? storedOffset : null);
    }
    const target = stored ?? this.create(commit.partition);
    target.nextOffset = commit.nextOffset;
    target.maxEventTime = commit.maxEventTime;
    for (const rsvp of commit.rsvps) {
      const bucket = rsvpBucketOf(rsvp.rsvpId);
      let table = target.rsvps.get(bucket);
      if (table === undefined) {
        table = new RsvpTable();
        target.rsvps.set(bucket, table);
      }
      table.set(rsvp.rsvpId, rsvp.mtime, rsvp.venueId);
      // A commit that does not say how recent a bucket is: its states' event times.
      if ((target.buckets.get(bucket) ?? Number.NEGATIVE_INFINITY) < rsvp.mtime) target.buckets.set(bucket, rsvp.mtime);
    }
    for (const { bucket, latest } of commit.rsvpBuckets ?? []) target.buckets.set(bucket, latest);
    for (const bucket of commit.expiredBuckets ?? []) {
      target.rsvps.delete(bucket);
      target.buckets.delete(bucket);
    }
    if (commit.expiredBucketMax !== undefined) target.expiredBucketMax = commit.expiredBucketMax;
    for (const venue of commit.venues) {
      const held = target.venues.get(venue.venueId);
      if (held === undefined) {
        target.venues.set(venue.venueId, { ...venue });
      } else {
        held.count = venue.count;
        // A commit without a display only moved the count: the stored display stands.
        if (venue.display !== undefined) held.display = venue.display;
      }
    }
    for (const cell of commit.windows) cellsOf(target, cell.window, cell.start).set(cell.venueId, cell.count);
    if (commit.maxEventTime !== null && Number.isFinite(this.windowRetentionMs)) {
      const oldest = commit.maxEventTime - this.windowRetentionMs;
      for (const starts of target.windows.values()) {
        for (const start of starts.keys()) if (start < oldest) starts.delete(start);
      }
    }
    if (this.answers.size > 0) this.answers = new Map();
    let records = this.changes.get(commit.partition);
    if (records === undefined) {
      records = [];
      this.changes.set(commit.partition, records);
    }
    records.push(changeRecordOf(commit));
    if (records.length > this.changesKept) records.splice(0, records.length - this.changesKept);
    for (const listener of this.listeners) listener();
  }

  loadCounts(partition: PartitionId): Promise<PartitionSnapshot> {
    return this.load(partition, { rsvps: false });
  }

  async partitionIds(): Promise<PartitionId[]> {
    return [...this.partitions.keys()];
  }

  async changesSince(partition: PartitionId, afterOffset: number): Promise<ChangeRecord[]> {
    return (this.changes.get(partition) ?? []).filter((record) => record.nextOffset > afterOffset);
  }

  watch(listener: () => void): () => void {
    const own = () => listener();
    this.listeners.add(own);
    return () => this.listeners.delete(own);
  }

  async topVenues(request: TopVenuesRequest): Promise<VenueRow[]> {
    const { window } = request;
    const key = window ? `${request.limit}|${window.sizeMs}/${window.slideMs}@${window.start}` : `${request.limit}`;
    let rows = this.answers.get(key);
    if (rows === undefined) {
      rows = this.rank(request);
      if (this.answers.size < 64) this.answers.set(key, rows);
    }
    return rows.slice();
  }

  async latestEventTime(): Promise<number | null> {
    let latest: number | null = null;
    for (const stored of this.partitions.values()) {
      if (stored.maxEventTime !== null && (latest === null || stored.maxEventTime > latest))
        latest = stored.maxEventTime;
    }
    return latest;
  }

  private rank(request: TopVenuesRequest): VenueRow[] {
    const ranking = new VenueRanking();
    const { window } = request;
    for (const stored of this.partitions.values()) {
      if (window === undefined) {
        for (const venue of stored.venues.values()) ranking.addCount(venue.venueId, venue.count);
      } else {
        for (const cell of windowCells(window, window.start)) {
          for (const [venueId, count] of stored.windows.get(cell.window)?.get(cell.start) ?? []) {
            ranking.addCount(venueId, count);
          }
        }
      }
      // Rows show the venue as its all-time row does, whichever partition named it last.
      for (const { venueId, display } of stored.venues.values()) {
        if (display !== undefined) ranking.addDisplay(venueId, display);
      }
    }
    return ranking.top(request.limit);
  }

  private create(partition: PartitionId): StoredPartition {
    const stored: StoredPartition = {
      nextOffset: 0,
      maxEventTime: null,
      rsvps: new Map(),
      buckets: new Map(),
      expiredBucketMax: null,
      venues: new Map(),
      windows: new Map(),
    };
    this.partitions.set(partition, stored);
    return stored;
  }
}

function cellsOf(stored: StoredPartition, window: string, start: number): Map<number, number> {
  let starts = stored.windows.get(window);
  if (starts === undefined) {
    starts = new Map();
    stored.windows.set(window, starts);
  }
  let cells = starts.get(start);
  if (cells === undefined) {
    cells = new Map();
    starts.set(start, cells);
  }
  return cells;
}
