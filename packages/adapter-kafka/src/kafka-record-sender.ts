import {
  type CompressionTypes,
  type Kafka,
  type Message,
  Partitioners,
  type Producer,
  type RecordMetadata,
} from 'kafkajs';

/** What the sender needs of a kafkajs producer. */
export type SenderProducer = Pick<Producer, 'connect' | 'disconnect' | 'send'>;

export interface KafkaRecordSenderOptions {
  /** A new producer, not connected yet: idempotent, `maxInFlightRequests: 1`. Called again after a failed send. */
  readonly createProducer: () => SenderProducer;
  /** The topic's partition count (asked once per topic, then kept). */
  readonly partitionCount: (topic: string) => Promise<number>;
  /**
   * How often a partition that kafkajs answered without an acknowledgement (its leader unknown in the
   * metadata: nothing was sent) is tried again before the send fails (default 20, 250 ms apart).
   */
  readonly unacknowledgedRetries?: number;
}

export interface SendOptions {
  readonly compression?: CompressionTypes;
}

/**
 * Sends records with `acks=all` through kafkajs's idempotent producer so that an acknowledged record is
 * stored once, through leader changes and broker restarts. kafkajs 2.2.4 does not give that by itself
 * (`producer/sendMessages.js`), and lost or doubled records in the cluster fault test came from it:
 *
 * - a `send` that spans several brokers keeps, across its retries, the responses of the brokers that
 *   answered; when a partition of a failed request moves (NOT_LEADER_OR_FOLLOWER) to a broker that already
 *   answered, it is never sent again and the `send` still resolves (records acknowledged but lost); when an
 *   acknowledged partition moves to a broker that has not answered, it is sent again under a new sequence
 *   number (doubled);
 * - a retry partitions the messages again: records without a key are spread round-robin over the
 *   partitions that have a leader at that moment, so a retried batch can carry other records under the
 *   same sequence numbers (OUT_OF_ORDER_SEQUENCE_NUMBER, or records dropped by the broker as duplicates).
 *
 * So the sender picks each record's partition once, before the first try (kafkajs's default partitioner:
 * murmur2 of the key, as Kafka's own clients; round-robin without a key), and sends each partition's
 * records in a `send` of their own, one at a time per partition: a retry then goes to one broker, the
 * partition's current leader, with the same records under the same sequence numbers, which the broker
 * deduplicates. A `send` whose answer does not acknowledge its partition is tried again, never taken as
 * sent. After a failed send (outcome unknown: the records may be stored) the producer is replaced by a new
 * one (a new producer id) before the next send: kafkajs would reuse the sequence numbers for other records.
 */
export class KafkaRecordSender {
  private producer: Promise<SenderProducer> | undefined;
  private readonly partitionCounts = new Map<string, Promise<number>>();
  /** The last send of each `topic:partition`, so that the next waits for it. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private closed = false;

  constructor(private readonly options: KafkaRecordSenderOptions) {}

  /** Connects the first producer (sends connect it anyway); fails if Kafka cannot be reached. */
  async connect(): Promise<void> {
    await this.current();
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.tails.values()]);
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await (await producer.catch(() => undefined))?.disconnect();
  }

  /**
   * Sends the messages and resolves once every one is acknowledged by the in-sync replicas of its partition.
   * A message with a `partition` goes there. Rejects if any partition's records could not be sent within
   * the producer's retries; the others may be stored.
   */
  async send(topic: string, messages: readonly Message[], options: SendOptions = {}): Promise<void> {
    if (this.closed) throw new Error('the Kafka sender is disconnected');
    if (messages.length === 0) return;
    const count = await this.partitionCountOf(topic);
    const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [],
      isr: [],
    }));
    const perPartition = new Map<number, Message[]>();
    for (const message of messages) {
      const partition = this.partitioner({ topic, partitionMetadata, message });
      if (!(Number.isInteger(partition) && partition >= 0 && partition < count)) {
        throw new RangeError(`partition ${partition} of topic ${topic}: it has ${count}`);
      }
      const list = perPartition.get(partition);
      const fixed = { ...message, partition };
      if (list) list.push(fixed);
      else perPartition.set(partition, [fixed]);
    }
    const sends = [...perPartition].map(([partition, records]) => {
      const key = `${topic}:${partition}`;
      const previous = this.tails.get(key) ?? Promise.resolve();
      const sent = previous.then(() => this.sendPartition(topic, partition, records, options));
      const tail = sent.catch(() => {});
      this.tails.set(key, tail);
      void tail.then(() => {
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
      return sent;
    });
    const results = await Promise.allSettled(sends);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async sendPartition(
    topic: string,
    partition: number,
    messages: readonly Message[],
    options: SendOptions,
  ): Promise<void> {
    const retries = this.options.unacknowledgedRetries ?? 20;
    for (let attempt = 0; ; attempt++) {
      const producer = this.current();
      let answer: RecordMetadata[];
      try {
        answer = await (await producer).send({
          topic,
          acks: -1,
          ...(options.compression !== undefined && { compression: options.compression }),
          messages: [...messages],
        });
      } catch (error) {
        this.replace(producer);
        throw error;
      }
      const ack = answer.find((r) => r.topicName === topic && r.partition === partition);
      if (ack !== undefined && ack.errorCode === 0) return;
      if (ack !== undefined || attempt >= retries) {
        // Not acknowledged: perhaps stored, perhaps not. A new producer id, so that no sequence number is reused.
        this.replace(producer);
        throw new Error(
          `Kafka did not acknowledge ${messages.length} records to ${topic} partition ${partition}` +
            (ack ? ` (error code ${ack.errorCode})` : ` after ${attempt + 1} tries (no leader known)`),
        );
      }
      // kafkajs sent nothing (no leader for the partition in its metadata): the same sequence numbers are free.
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private current(): Promise<SenderProducer> {
    if (this.producer === undefined) {
      const producer = this.options.createProducer();
      const connected = producer.connect().then(() => producer);
      this.producer = connected;
      connected.catch(() => {
        if (this.producer === connected) this.producer = undefined;
      });
    }
    return this.producer;
  }

  /** The next send gets a new producer; the old one is disconnected once its other sends are over. */
  private replace(producer: Promise<SenderProducer>): void {
    if (this.producer !== producer) return;
    this.producer = undefined;
    const pending = [...this.tails.values()];
    void Promise.allSettled(pending)
      .then(() => producer)
      .then((old) => old.disconnect())
      .catch(() => {});
  }

  private partitionCountOf(topic: string): Promise<number> {
    let count = this.partitionCounts.get(topic);
    if (count === undefined) {
      count = this.options.partitionCount(topic).then((n) => {
        if (!(Number.isInteger(n) && n > 0)) throw new Error(`topic ${topic} has no partitions`);
        return n;
      });
      this.partitionCounts.set(topic, count);
      count.catch(() => this.partitionCounts.delete(topic));
    }
    return count;
  }
}

/**
 * A sender over a kafkajs client: idempotent producers (`maxInFlightRequests: 1`, no topic created by
 * sending), partition counts read from the cluster's metadata.
 */
export function createRecordSender(kafka: Kafka): KafkaRecordSender {
  return new KafkaRecordSender({
    createProducer: () =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner, // the partition is set on every message anyway
      }),
    partitionCount: async (topic) => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        return topics.find((t) => t.name === topic)?.partitions.length ?? 0;
      } finally {
        await admin.disconnect();
      }
    },
  });
}
