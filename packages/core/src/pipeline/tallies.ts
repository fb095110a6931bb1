import type { ProblemCode } from '../rsvp/problem.js';

/** Why a valid record changed no count. */
export type FilterReason =
  /** Its RSVP already has a newer message. */
  | 'superseded'
  /** Its position was applied before (a redelivery after a restart or a rebalance). */
  | 'redelivered'
  /** Its RSVP's state is past `rsvpRetentionMs` and no longer kept: it cannot be counted exactly, so it is not. */
  | 'expired';

/**
 * Where every received record went. `received = counted + filtered + deadLettered`, always;
 * `late` counts the counted records that found a window already closed.
 */
export interface Tallies {
  received: number;
  counted: number;
  late: number;
  filtered: Partial<Record<FilterReason, number>>;
  /** By the code of each record's first problem. */
  deadLettered: Partial<Record<ProblemCode, number>>;
}

export function emptyTallies(): Tallies {
  return { received: 0, counted: 0, late: 0, filtered: {}, deadLettered: {} };
}

export function addTallies(into: Tallies, from: Tallies): void {
  into.received += from.received;
  into.counted += from.counted;
  into.late += from.late;
  for (const [reason, n] of Object.entries(from.filtered)) bump(into.filtered, reason as FilterReason, n);
  for (const [code, n] of Object.entries(from.deadLettered)) bump(into.deadLettered, code as ProblemCode, n);
}

export function bump<K extends string>(counts: Partial<Record<K, number>>, key: K, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

export function sumOf(counts: Partial<Record<string, number>>): number {
  let total = 0;
  for (const n of Object.values(counts)) total += n ?? 0;
  return total;
}

/** True when every received record is counted, filtered or dead-lettered exactly once. */
export function isAccountedFor(tallies: Tallies): boolean {
  return tallies.received === tallies.counted + sumOf(tallies.filtered) + sumOf(tallies.deadLettered);
}
