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
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const partition = partitionId(topic, batch.partition);
        for (let i = 0; i < batch.messages.length; i += this.maxBatchRecords) {
          // After a rebalance or on stop, abandon the rest: its records are redelivered to their owner.
          if (!isRunning() || isStale()) return;
          const chunk = batch.messages.slice(i, i + this.maxBatchRecords);
          await pipeline.handleBatch({
            partition,
            records: chunk.map((m) => ({ offset: Number(m.offset), value: m.value })),
          });
          const last = (chunk.at(-1) as { offset: string }).offset;
          resolveOffset(last);
          await this.commit(consumer, batch.partition, Number(last) + 1);
          await heartbeat();
        }
      },
    });
    await ended;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.finish?.();
  }

  private async commit(consumer: Consumer, partition: number, nextOffset: number): Promise<void> {
    try {
      await consumer.commitOffsets([{ topic: this.options.topic, partition, offset: String(nextOffset) }]);
    } catch {
      // The store already holds this position; a lost Kafka commit only means a redelivery, filtered then.
    }
  }
}
