import type { BatchConsumer, EventSource, PartitionId } from '@rsvp/core';
import type { Consumer, Kafka } from 'kafkajs';

export interface KafkaEventSourceOptions {
  readonly topic: string;
  /** Processors in one group share the topic's partitions. */
  readonly groupId: string;
  /** At most this many records go to the pipeline at once; larger fetches are split (default 500). */
  readonly maxBatchRecords?: number;
  /** Partitions handled at the same time by this member (default 3). */
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
}

/** `rsvps:3`: the pipeline's name for a topic partition. */
export function partitionId(topic: string, partition: number): PartitionId {
  return `${topic}:${partition}`;
}

/**
 * A consumer-group member. Hands the pipeline each partition's records in offset order and commits the
 * offset to Kafka only after the pipeline has stored the batch. Kafka's committed offsets are a hint for
 * where to start; the store's offsets are the truth, so a redelivered record is recognized and filtered.
 */
export class KafkaEventSource implements EventSource {
  private consumer: Consumer | undefined;
  private finish: (() => void) | undefined;
  private readonly maxBatchRecords: number;
  private stopping = false;
  /** Chunks being handled and committed; `stop` lets them finish so their Kafka commit is not lost. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaEventSourceOptions,
  ) {
    this.maxBatchRecords = options.maxBatchRecords ?? 500;
    if (!Number.isInteger(this.maxBatchRecords) || this.maxBatchRecords < 1) {
      throw new RangeError('maxBatchRecords must be a positive integer');
    }
  }

  async run(pipeline: BatchConsumer): Promise<void> {
    const { topic } = this.options;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 30_000 },
    });
    this.consumer = consumer;
    const ended = new Promise<void>((resolve, reject) => {
      this.finish = resolve;
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(payload.error);
      });
    });

    let owned = new Set<number>();
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set(payload.memberAssignment[topic] ?? []);
      const lost = [...owned].filter((p) => !assigned.has(p));
      // Forget the state of partitions another member now owns; it reloads them from the store.
      if (lost.length > 0) pipeline.releasePartitions(lost.map((p) => partitionId(topic, p)));
      owned = assigned;
    });

    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      // Offsets are resolved only after the store has committed them, and committed right away.
      autoCommit: true,
      autoCommitThreshold: 1,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat, isRunning, isStale }) => {
        const partition = partitionId(topic, batch.partition);
        for (let i = 0; i < batch.messages.length; i += this.maxBatchRecords) {
          // After a rebalance or on stop, abandon the rest: its records are redelivered to their owner.
          if (this.stopping || !isRunning() || isStale()) return;
          const chunk = batch.messages.slice(i, i + this.maxBatchRecords);
          const last = (chunk.at(-1) as { offset: string }).offset;
          const work = (async () => {
            await pipeline.handleBatch({
              partition,
              records: chunk.map((m) => ({ offset: Number(m.offset), value: m.value })),
            });
            resolveOffset(last);
            // A lost Kafka commit only means a redelivery, which the store's offsets filter.
            await commitOffsetsIfNecessary().catch(() => {});
          })();
          this.inFlight.add(work);
          try {
            await work;
          } finally {
            this.inFlight.delete(work);
          }
          await heartbeat();
        }
      },
    });
    await ended;
  }

  /** Lets the chunks in flight finish and commit, then leaves the group. Not to be awaited inside `handleBatch`. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled(this.inFlight);
    await this.consumer?.disconnect();
    this.finish?.();
  }
}
