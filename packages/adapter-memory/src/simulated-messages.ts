import type { Clock, RsvpSimulator } from '@rsvp/core';

export interface SimulatedMessagesOptions {
  readonly simulator: RsvpSimulator;
  readonly clock: Clock;
  /** Messages per second. */
  readonly rate: number;
  /** Stop after this many messages; endless when absent. */
  readonly limit?: number;
  /** How often the generator wakes to catch up with the rate. */
  readonly tickMs?: number;
}

/** The simulator's messages at a steady rate, dated by the clock. */
export async function* simulatedMessages(options: SimulatedMessagesOptions): AsyncGenerator<string> {
  const { simulator, clock, rate, limit = Number.POSITIVE_INFINITY, tickMs = 100 } = options;
  if (!(rate > 0)) throw new RangeError('rate must be positive');
  const startedAt = clock.now();
  let sent = 0;
  while (sent < limit) {
    const due = Math.min(limit, Math.floor(((clock.now() - startedAt) / 1000) * rate) + 1);
    while (sent < due) {
      yield simulator.next(clock.now());
      sent++;
    }
    if (sent < limit) await clock.sleep(tickMs);
  }
}
