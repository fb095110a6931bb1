import type { PartitionCommit, PartitionId, PartitionSnapshot, RsvpState } from '../aggregation/partition-state.js';

export interface LoadOptions {
  /**
   * False: leave out the RSVP states (most of a partition's state; `rsvpBuckets` still lists their buckets);
   * the pipeline reads the buckets it needs with `loadRsvpBuckets`, batch by batch. Default true.
   */
  readonly rsvps?: boolean;
}

/**
 * Keeps counts per partition together with the source position they include. Absolute values, not
 * increments, so that applying a commit twice is harmless, and a fenced position, so that only one
 * writer per partition can advance it.
 */
export interface CountStore {
  /** The stored state of a partition; nextOffset 0 and nothing else for one never written. */
  load(partition: PartitionId, options?: LoadOptions): Promise<PartitionSnapshot>;
  /** Every stored state of these RSVP buckets of a partition (whole buckets: what memory holds is a set of buckets). */
  loadRsvpBuckets(partition: PartitionId, buckets: readonly number[]): Promise<RsvpState[]>;
  /**
   * Applies the commit atomically if the stored nextOffset equals `expectedNextOffset`; otherwise
   * changes nothing and rejects with `StaleWriterError`.
   */
  commit(commit: PartitionCommit): Promise<void>;
}
