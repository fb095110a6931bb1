import type {
  PartitionCommit,
  PartitionId,
  PartitionSnapshot,
  VenueTotal,
  WindowCount,
} from '../aggregation/partition-state.js';

/**
 * What one committed batch changed in a partition, as absolute values: the venues and window cells it
 * wrote, and the positions it moved the partition from and to. Records chain: each one's
 * `previousOffset` is the `nextOffset` of the one before, so a reader sees a missing record.
 */
export interface ChangeRecord {
  readonly partition: PartitionId;
  readonly previousOffset: number;
  readonly nextOffset: number;
  readonly maxEventTime: number | null;
  readonly venues: readonly VenueTotal[];
  readonly windows: readonly WindowCount[];
}

/** The change record a store keeps for a commit it applied. */
export function changeRecordOf(commit: PartitionCommit): ChangeRecord {
  return {
    partition: commit.partition,
    previousOffset: commit.expectedNextOffset,
    nextOffset: commit.nextOffset,
    maxEventTime: commit.maxEventTime,
    venues: commit.venues,
    windows: commit.windows,
  };
}

/**
 * The committed counts as a stream of changes, for read sides that keep their own view up to date. A
 * store writes a commit's change record with the commit itself (atomically), so a record exists only for
 * a commit that was applied: never for a fenced or failed writer's. Records are kept for a while, then
 * pruned; a reader that fell further behind loads the partition again.
 */
export interface CountChangeFeed {
  /** Every partition that has been written. */
  partitionIds(): Promise<PartitionId[]>;
  /** The partition's committed counts, without RSVP states (`load(partition, { rsvps: false })`). */
  loadCounts(partition: PartitionId): Promise<PartitionSnapshot>;
  /** The records still kept whose `nextOffset` is above `afterOffset`, oldest first. */
  changesSince(partition: PartitionId, afterOffset: number): Promise<ChangeRecord[]>;
  /** Calls back when new records may be there: a feed that can tell spares its readers the polling. */
  watch?(listener: () => void): () => void;
}
