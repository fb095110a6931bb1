import type { Clock } from '../ports/clock.js';

export interface BatchStreamOptions {
  /** A batch holds at most this many items. */
  readonly maxSize: number;
  /** A partial batch waits at most this long for more items; without it, only full batches and the last. */
  readonly lingerMs?: number;
  /** Needed with `lingerMs`, to wait. */
  readonly clock?: Clock;
}

const LINGERED = Symbol('lingered');

/**
 * Groups a stream into batches: full ones as soon as they fill, partial ones once they have waited
 * `lingerMs` — the usual trade between per-message cost and freshness.
 */
export async function* batchStream<T>(
  items: AsyncIterable<T> | Iterable<T>,
  options: BatchStreamOptions,
): AsyncGenerator<T[]> {
  const { maxSize, lingerMs, clock } = options;
  if (!Number.isInteger(maxSize) || maxSize < 1) throw new RangeError('maxSize must be a positive integer');
  if (lingerMs !== undefined && clock === undefined) throw new TypeError('lingerMs needs a clock');
  const iterator = toAsyncIterator(items);
  let batch: T[] = [];
  let lingering: Promise<typeof LINGERED> | undefined; // one timer per batch, started by its first item
  let pending = iterator.next();
  let ended = false;
  try {
    while (!ended) {
      const next = await (lingering ? Promise.race([pending, lingering]) : pending);
      if (next !== LINGERED) {
        ended = next.done === true;
        if (!ended) {
          batch.push(next.value);
          if (lingerMs !== undefined && clock !== undefined) lingering ??= clock.sleep(lingerMs).then(() => LINGERED);
          pending = iterator.next();
        }
      }
      if (batch.length > 0 && (ended || next === LINGERED || batch.length >= maxSize)) {
        yield batch;
        batch = [];
        lingering = undefined;
      }
    }
  } finally {
    if (!ended) await iterator.return?.();
  }
}

function toAsyncIterator<T>(items: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in items) return items[Symbol.asyncIterator]();
  const iterator = items[Symbol.iterator]();
  return {
    next: async () => iterator.next(),
    return: async () => iterator.return?.() ?? { done: true, value: undefined },
  };
}
