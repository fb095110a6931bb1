import type { ConnectionOptions } from 'node:tls';
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';

export interface KafkaConnectionOptions {
  /** `host:port` of one or more brokers. */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** TLS to the brokers; `true` for the system's trusted certificates. */
  readonly tls?: boolean | ConnectionOptions;
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: string;
  };
  /** Hears kafkajs's warnings and errors (it is silent otherwise). */
  readonly log?: (level: 'error' | 'warn', message: string, extra: Record<string, unknown>) => void;
}

const BROKER = /^[^\s:]+:[0-9]{1,5}$/;

/** A kafkajs client, with the options checked once, up front. */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  if (options.brokers.length === 0) throw new RangeError('at least one Kafka broker is needed');
  for (const broker of options.brokers) {
    if (!BROKER.test(broker)) throw new RangeError(`Kafka broker "${broker}": expected host:port`);
  }
  const { log } = options;
  const config: KafkaConfig = {
    clientId: options.clientId ?? 'rsvp',
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    // Outlast a broker restart (about a minute and a half of backoff in all) before giving up: the
    // idempotent producer retries with the same sequence numbers, so a retried send is not a duplicate.
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 12 },
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...extra } = entry;
        log?.(level === logLevel.ERROR ? 'error' : 'warn', String(message), extra);
      },
    ...(options.tls !== undefined && { ssl: options.tls }),
    ...(options.sasl && { sasl: { ...options.sasl } as SASLOptions }),
  };
  return new Kafka(config);
}

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /**
   * The topic's `min.insync.replicas`: replicas that must have a write before an acks=all producer hears
   * it succeeded. The broker's default when absent; 2 of 3 replicas in a cluster.
   */
  readonly minInSyncReplicas?: number;
}

/** Creates the topics that do not exist yet; existing ones are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.topic,
          numPartitions: t.partitions,
          replicationFactor: t.replicationFactor,
          ...(t.minInSyncReplicas !== undefined && {
            configEntries: [{ name: 'min.insync.replicas', value: String(t.minInSyncReplicas) }],
          }),
        })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
