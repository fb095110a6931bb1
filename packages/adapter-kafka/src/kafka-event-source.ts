import type { BatchConsumer, EventSource, PartitionId } from '@rsvp/core';
import type { Admin, Consumer, Kafka } from 'kafkajs';

export interface KafkaEventSourceOptions {
  readonly topic: string;
  /** Processors in one group share the topic's partitions. */
  readonly groupId: string;
  /** At most this many records go to the pipeline at once; larger fetches are split (default 5000). */
  readonly maxBatchRecords?: number;
  /**
   * How much one fetch may bring of a partition (default 4 MiB, about 5,000 RSVPs): enough for a whole
   * batch, since each batch is one store commit and fewer, larger commits are what makes a backlog drain fast.
   */
  readonly maxBytesPerPartition?: number;
  /** Partitions handled at the same time by this member (default 3). */
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
}

/** How far one partition's consumer is behind: records between its position and the high watermark. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** The high watermark minus the next offset to consume (what is committed). */
  readonly lag: number;
}

export const DEFAULT_MAX_BATCH_RECORDS = 5_000;
export const DEFAULT_MAX_BYTES_PER_PARTITION = 4 * 1024 * 1024;

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
  /** The partitions of the topic this member owns, from its last group join. */
  private owned = new Set<number>();
  /** Lag per owned partition; absent until known (from the group's offsets at a join, or a batch). */
  private readonly lags = new Map<number, number>();
  /** Admin clients looking up lags; `stop` disconnects them rather than waiting (Kafka may be down). */
  private readonly lookups = new Set<Admin>();

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaEventSourceOptions,
  ) {
    this.maxBatchRecords = options.maxBatchRecords ?? DEFAULT_MAX_BATCH_RECORDS;
    if (!Number.isInteger(this.maxBatchRecords) || this.maxBatchRecords < 1) {
      throw new RangeError('maxBatchRecords must be a positive integer');
    }
  }

  async run(pipeline: BatchConsumer): Promise<void> {
    const { topic } = this.options;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      maxBytesPerPartition: this.options.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION,
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

    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set(payload.memberAssignment[topic] ?? []);
      const lost = [...this.owned].filter((p) => !assigned.has(p));
      // Forget the state of partitions another member now owns; it reloads them from the store.
      if (lost.length > 0) pipeline.releasePartitions(lost.map((p) => partitionId(topic, p)));
      for (const p of lost) this.lags.delete(p);
      this.owned = assigned;
      void this.lookUpLag([...assigned].filter((p) => !this.lags.has(p)));
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
        const highWatermark = Number(batch.highWatermark);
        const first = batch.firstOffset();
        if (first !== null) this.setLag(batch.partition, highWatermark - Number(first));
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
            this.setLag(batch.partition, highWatermark - (Number(last) + 1));
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

  /**
   * Consumer lag of each partition this member owns: records between the next offset to consume (the
   * position after the last stored batch, which is what is committed) and the partition's high watermark.
   * Known from the group's committed offsets when the member joins, then updated as each fetched batch
   * arrives and after each stored chunk; a partition lost in a rebalance leaves the list. Sorted by partition.
   */
  lag(): PartitionLag[] {
    return [...this.lags]
      .sort(([a], [b]) => a - b)
      .map(([partition, lag]) => ({ topic: this.options.topic, partition, lag }));
  }

  /** Lets the chunks in flight finish and commit, then leaves the group. Not to be awaited inside `handleBatch`. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled(this.inFlight);
    await this.consumer?.disconnect();
    this.owned = new Set();
    this.lags.clear();
    await Promise.allSettled([...this.lookups].map((admin) => admin.disconnect()));
    this.finish?.();
  }

  private setLag(partition: number, lag: number): void {
    if (this.owned.has(partition) && Number.isFinite(lag)) this.lags.set(partition, Math.max(0, lag));
  }

  /**
   * The lag of newly assigned partitions before their first batch: high watermark minus the group's
   * committed offset (the low watermark when nothing is committed: the member starts from the beginning).
   * Best effort: if the lookup fails, each partition's first batch tells. Never overwrites a value a batch set.
   */
  private async lookUpLag(partitions: readonly number[]): Promise<void> {
    if (partitions.length === 0 || this.stopping) return;
    const { topic, groupId } = this.options;
    const admin = this.kafka.admin({ retry: { retries: 2 } });
    this.lookups.add(admin);
    try {
      await admin.connect();
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      const next = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]));
      for (const end of ends) {
        if (!partitions.includes(end.partition) || this.lags.has(end.partition)) continue;
        const offset = next.get(end.partition) ?? -1;
        this.setLag(end.partition, Number(end.high) - (offset >= 0 ? offset : Number(end.low)));
      }
    } catch {
      // The first batch of each partition reports its lag.
    } finally {
      this.lookups.delete(admin);
      await admin.disconnect().catch(() => {});
    }
  }
}
