import { type BatchConsumer, batchStream, type Clock, type EventSource, type PartitionId } from '@rsvp/core';

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

/**
 * Delivers messages from an array, a generator or a stream (a replayed file, the simulator) as batches
 * of one partition, with offsets counting from 0.
 */
export class MemoryEventSource implements EventSource {
  readonly partition: PartitionId;
  private readonly batches: AsyncGenerator<RawMessage[]>;
  private stopRequested = false;
  private readonly stopped: Promise<typeof STOPPED>;
  private wake: (() => void) | undefined;

  constructor(options: MemoryEventSourceOptions) {
    this.partition = options.partition ?? 'memory:0';
    const { batchSize = 500, lingerMs, clock } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
    if (lingerMs !== undefined && clock === undefined) throw new TypeError('lingerMs needs a clock');
    this.batches = batchStream(options.messages, {
      maxSize: batchSize,
      ...(lingerMs !== undefined && { lingerMs }),
      ...(clock !== undefined && { clock }),
    });
    this.stopped = new Promise((resolve) => {
      this.wake = () => resolve(STOPPED);
    });
  }

  async run(consumer: BatchConsumer): Promise<void> {
    let offset = 0;
    try {
      while (!this.stopRequested) {
        const next = await Promise.race([this.batches.next(), this.stopped]);
        if (next === STOPPED || next.done === true) break;
        const records = next.value.map((value) => ({ offset: offset++, value }));
        await consumer.handleBatch({ partition: this.partition, records });
      }
    } finally {
      void this.batches.return(undefined);
    }
  }

  async stop(): Promise<void> {
    this.stopRequested = true;
    this.wake?.();
  }
}
