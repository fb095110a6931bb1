import {
  type CountStore,
  emptySnapshot,
  type PartitionCommit,
  type PartitionId,
  type PartitionSnapshot,
  type RsvpState,
  StaleWriterError,
  type TopVenuesRequest,
  type VenueCountQuery,
  VenueRanking,
  type VenueRow,
  type VenueTotal,
} from '@rsvp/core';

interface StoredPartition {
  nextOffset: number;
  maxEventTime: number | null;
  readonly rsvps: Map<number, RsvpState>;
  readonly venues: Map<number, VenueTotal>;
  /** Keyed by `window@start`, then venue id. */
  readonly windows: Map<string, Map<number, number>>;
}

/** Counts in this process's memory: the embedded default, and the oracle's twin in tests. */
export class MemoryCountStore implements CountStore, VenueCountQuery {
  private readonly partitions = new Map<PartitionId, StoredPartition>();

  async load(partition: PartitionId): Promise<PartitionSnapshot> {
    const stored = this.partitions.get(partition);
    if (stored === undefined) return emptySnapshot(partition);
    const windows = [];
    for (const [key, counts] of stored.windows) {
      const at = key.lastIndexOf('@');
      const window = key.slice(0, at);
      const start = Number(key.slice(at + 1));
      for (const [venueId, count] of counts) windows.push({ window, start, venueId, count });
    }
    return {
      partition,
      nextOffset: stored.nextOffset,
      maxEventTime: stored.maxEventTime,
      rsvps: [...stored.rsvps.values()],
      venues: [...stored.venues.values()],
      windows,
    };
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
    for (const rsvp of commit.rsvps) target.rsvps.set(rsvp.rsvpId, rsvp);
    for (const venue of commit.venues) target.venues.set(venue.venueId, venue);
    for (const cell of commit.windows) {
      const key = `${cell.window}@${cell.start}`;
      let counts = target.windows.get(key);
      if (counts === undefined) {
        counts = new Map();
        target.windows.set(key, counts);
      }
      counts.set(cell.venueId, cell.count);
    }
  }

  async topVenues(request: TopVenuesRequest): Promise<VenueRow[]> {
    const ranking = new VenueRanking();
    const key = request.window && `${request.window.name}@${request.window.start}`;
    for (const stored of this.partitions.values()) {
      if (key === undefined) {
        for (const venue of stored.venues.values()) {
          ranking.addCount(venue.venueId, venue.count);
          ranking.addDisplay(venue.venueId, venue.display);
        }
      } else {
        for (const [venueId, count] of stored.windows.get(key) ?? []) ranking.addCount(venueId, count);
      }
    }
    if (key !== undefined) {
      // Window rows show the venue as its all-time row does, whichever partition named it last.
      for (const stored of this.partitions.values()) {
        for (const venue of stored.venues.values()) ranking.addDisplay(venue.venueId, venue.display);
      }
    }
    return ranking.top(request.limit);
  }

  async latestEventTime(): Promise<number | null> {
    let latest: number | null = null;
    for (const stored of this.partitions.values()) {
      if (stored.maxEventTime !== null && (latest === null || stored.maxEventTime > latest))
        latest = stored.maxEventTime;
    }
    return latest;
  }

  private create(partition: PartitionId): StoredPartition {
    const stored: StoredPartition = {
      nextOffset: 0,
      maxEventTime: null,
      rsvps: new Map(),
      venues: new Map(),
      windows: new Map(),
    };
    this.partitions.set(partition, stored);
    return stored;
  }
}
