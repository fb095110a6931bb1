import type { Clock, RsvpSimulator } from '@rsvp/core';

export interface PaceOptions {
  /** Items per second. */
  readonly rate: number;
  readonly clock: Clock;
}

/**
 * The items at a steady rate: each is taken from `items` only when it is due, so a generator that dates
 * its items (the simulator) dates them when they go out. Catches up without sleeping when behind.
 */
export async function* paced<T>(
  items: AsyncIterable<T> | Iterable<T>,
  { rate, clock }: PaceOptions,
): AsyncGenerator<T> {
  if (!(rate > 0)) throw new RangeError('rate must be positive');
  const iterator = Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : items[Symbol.iterator]();
  const startedAt = clock.now();
  try {
    for (let sent = 0; ; sent++) {
      const wait = startedAt + (sent * 1000) / rate - clock.now();
      if (wait > 0) await clock.sleep(wait);
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
}

export interface SimulatedMessagesOptions extends PaceOptions {
  readonly simulator: RsvpSimulator;
  /** Stop after this many messages; endless when absent. */
  readonly limit?: number;
}

/** The simulator's messages at a steady rate, dated by the clock. */
export function simulatedMessages({ simulator, limit = Number.POSITIVE_INFINITY, ...pace }: SimulatedMessagesOptions) {
  function* messages(): Generator<string> {
    for (let sent = 0; sent < limit; sent++) yield simulator.next(pace.clock.now());
  }
  return paced(messages(), pace);
}
