import type { DeadLetter, DeadLetterSink } from '@rsvp/core';

/** Keeps rejected records in memory, newest last, up to `capacity` (older ones are counted, then let go). */
export class MemoryDeadLetterSink implements DeadLetterSink {
  private readonly kept: DeadLetter[] = [];
  private total = 0;

  constructor(private readonly capacity = Number.POSITIVE_INFINITY) {}

  async write(letters: readonly DeadLetter[]): Promise<void> {
    this.total += letters.length;
    this.kept.push(...letters);
    if (this.kept.length > this.capacity) this.kept.splice(0, this.kept.length - this.capacity);
  }

  /** The letters kept, oldest first. */
  get letters(): readonly DeadLetter[] {
    return this.kept;
  }

  /** Every letter ever written, kept or not. */
  get written(): number {
    return this.total;
  }
}
