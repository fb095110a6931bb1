import type { PartitionId } from '../aggregation/partition-state.js';

export interface SourceRecord {
  /** Position in its partition; strictly increasing within a partition. */
  readonly offset: number;
  /** The raw message; `null` for an empty record such as a Kafka tombstone. */
  readonly value: Uint8Array | string | null;
}

export interface SourceBatch {
  readonly partition: PartitionId;
  readonly records: readonly SourceRecord[];
}

/** What an `EventSource` delivers to: the pipeline. */
export interface BatchConsumer {
  /**
   * Handles a batch. Resolves once its effects are stored: only then may the source acknowledge it.
   * Rejects when nothing may be acknowledged; the source must then deliver the batch again or stop.
   */
  handleBatch(batch: SourceBatch): Promise<unknown>;
  /** The source no longer owns these partitions (a rebalance): forget any state held for them. */
  releasePartitions(partitions: readonly PartitionId[]): void;
}

/** Delivers batches of raw records, one batch per partition at a time, in offset order. */
export interface EventSource {
  /** Resolves when the source is exhausted or stopped; rejects when delivery fails for good. */
  run(consumer: BatchConsumer): Promise<void>;
  /** Stops delivering after the batch in flight; `run` then resolves. */
  stop(): Promise<void>;
}
