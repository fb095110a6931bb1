import type { Clock } from '@rsvp/core';

/** A clock that moves only when told to; `sleep` moves it and returns at once. For tests. */
export class ManualClock implements Clock {
  constructor(private current = 0) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(ms: number): void {
    this.current = ms;
  }

  async sleep(ms: number): Promise<void> {
    this.current += ms;
  }
}
