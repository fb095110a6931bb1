import type { PartitionId } from '../aggregation/partition-state.js';
import type { Problem } from '../rsvp/problem.js';

/** A rejected record: its original bytes, where it came from and why it was rejected. */
export interface DeadLetter {
  readonly partition: PartitionId;
  readonly offset: number;
  readonly value: Uint8Array | string | null;
  readonly problems: readonly Problem[];
  readonly rejectedAt: number;
}

/**
 * Receives rejected records. Written before the batch's counts are committed, so a crash in between
 * re-sends a letter (at least once, identified by partition and offset) instead of losing it.
 */
export interface DeadLetterSink {
  write(letters: readonly DeadLetter[]): Promise<void>;
}
