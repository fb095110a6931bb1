import type { BatchConsumer, Clock, EventSource, PartitionId, SourceRecord } from '@rsvp/core';

export type RawMessage = Uint8Array | string | null;

export interface MemoryEventSourceOptions {
  readonly messages: Iterable<RawMessage> | AsyncIterable<RawMessage>;
  readonly partition?: PartitionId;
  /** At most this many records per batch. */
  readonly batchSize?: number;
  /** A partial batch waits at most this long for more messages before it is delivered. */
  readonly lingerMs?: number;
  /** Needed only with `lingerMs`, for waiting. */
  readonly clock?: Clock;
}

const STOPPED = Symbol('stopped');
const LINGERED = Symbol('lingered');

/**
 * Delivers messages from an array, a generator or a stream (a replayed file, the simulator) as batches
 * of one partition, with offsets counting from 0.
 */
export class MemoryEventSource implements EventSource {
  readonly partition: PartitionId;
  private readonly batchSize: number;
  private stopRequested = false;
  private wake: (() => void) | undefined;
  private readonly stopped: Promise<typeof STOPPED>;

  constructor(private readonly options: MemoryEventSourceOptions) {
    this.partition = options.partition ?? 'memory:0';
    this.batchSize = options.batchSize ?? 500;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1)
      throw new RangeError('batchSize must be a positive integer');
    if (options.lingerMs !== undefined && options.clock === undefined) throw new TypeError('lingerMs needs a clock');
    this.stopped = new Promise((resolve) => {
      this.wake = () => resolve(STOPPED);
    });
  }

  async run(consumer: BatchConsumer): Promise<void> {
    const iterator = toAsyncIterator(this.options.messages);
    let offset = 0;
    let batch: SourceRecord[] = [];
    let lingering: Promise<typeof LINGERED> | undefined; // one timer per batch, started by its first record
    let pending = iterator.next();
    let ended = false;
    try {
      while (!this.stopRequested && !ended) {
        const next = await Promise.race(lingering ? [pending, this.stopped, lingering] : [pending, this.stopped]);
        if (next === STOPPED) break;
        if (next !== LINGERED) {
          ended = next.done === true;
          if (!ended) {
            batch.push({ offset: offset++, value: next.value as RawMessage });
            lingering ??= this.linger();
            pending = iterator.next();
          }
        }
        if (batch.length > 0 && (ended || next === LINGERED || batch.length >= this.batchSize)) {
          await consumer.handleBatch({ partition: this.partition, records: batch });
          batch = [];
          lingering = undefined;
        }
      }
    } finally {
      if (!ended) await iterator.return?.();
    }
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    this.wake?.();
  }

  private linger(): Promise<typeof LINGERED> {
    const { clock, lingerMs } = this.options;
    if (clock === undefined || lingerMs === undefined) return new Promise(() => {});
    return clock.sleep(lingerMs).then(() => LINGERED);
  }
}

function toAsyncIterator(messages: Iterable<RawMessage> | AsyncIterable<RawMessage>): AsyncIterator<RawMessage> {
  if (Symbol.asyncIterator in messages) return messages[Symbol.asyncIterator]();
  const iterator = messages[Symbol.iterator]();
  return {
    next: async () => iterator.next(),
    return: async () => iterator.return?.() ?? { done: true, value: undefined },
  };
}
