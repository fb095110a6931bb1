import type { ConnectionOptions } from 'node:tls';
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';

export interface KafkaConnectionOptions {
  /** `host:port` of one or more brokers. */
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** TLS to the brokers; `true` for the system's trusted certificates, or Node's options (e.g. `{ ca }`). */
  readonly tls?: boolean | ConnectionOptions;
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: string;
  };
  /**
   * How many times a failed connection or request is tried again before giving up (default 12): the
   * waits start at 0.3 s and double, up to 10 s each, about 80 s in all with the default.
   */
  readonly retries?: number;
  /**
   * Hears kafkajs's warnings and errors (it is silent otherwise), one line each, without stack traces. A
   * failed attempt that will be tried again comes once, with `retry: { broker, attempt, attempts,
   * nextTryInMs }`; the connection error that caused it is not reported separately.
   */
  readonly log?: (level: 'error' | 'warn', message: string, extra: Record<string, unknown>) => void;
}

export const DEFAULT_KAFKA_RETRIES = 12;
const BROKER = /^[^\s:]+:[0-9]{1,5}$/;
const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'];

/**
 * Checks the options by the rules `createKafka` applies, without connecting: for a caller that reads them
 * from its configuration and wants a bad value refused there. Throws a `RangeError`.
 */
export function checkKafkaConnectionOptions(options: KafkaConnectionOptions): void {
  if (options.brokers.length === 0) throw new RangeError('at least one Kafka broker is needed');
  for (const broker of options.brokers) {
    const port = Number(broker.slice(broker.lastIndexOf(':') + 1));
    if (!BROKER.test(broker) || port < 1 || port > 65_535) {
      throw new RangeError(`Kafka broker "${broker}": expected host:port`);
    }
  }
  const { sasl, retries } = options;
  if (sasl !== undefined) {
    if (!SASL_MECHANISMS.includes(sasl.mechanism)) {
      throw new RangeError(`SASL mechanism "${sasl.mechanism}": expected ${SASL_MECHANISMS.join(', ')}`);
    }
    if (sasl.username === '' || sasl.password === '') throw new RangeError('SASL needs a user name and a password');
  }
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0 && retries <= 100)) {
    throw new RangeError(`Kafka retries ${retries}: expected a whole number from 0 to 100`);
  }
}

/** A kafkajs client, with the options checked once, up front. */
export function createKafka(options: KafkaConnectionOptions): Kafka {
  checkKafkaConnectionOptions(options);
  const { log } = options;
  const retries = options.retries ?? DEFAULT_KAFKA_RETRIES;
  let lastBroker: string | undefined;
  const config: KafkaConfig = {
    clientId: options.clientId ?? 'rsvp',
    brokers: [...options.brokers],
    logLevel: logLevel.WARN,
    // Outlast a broker restart (about 80 s of backoff in all with the default budget) before giving up: the
    // idempotent producer retries with the same sequence numbers, so a retried send is not a duplicate.
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries },
    logCreator:
      () =>
      ({ namespace, level, log: entry }) => {
        const { message, stack: _stack, timestamp: _timestamp, logger: _logger, ...extra } = entry;
        const text = String(message);
        if (typeof extra.broker === 'string') lastBroker = extra.broker;
        // A connection's own failures and error responses: its caller reports them once, with the attempt
        // (below), or throws them.
        if (namespace === 'Connection') return;
        const { retryCount, retryTime, ...rest } = extra;
        // kafkajs logs a failed SASL login as if it would try again; it does not: the error it throws is final.
        if (/^SASL .*authentication failed/.test(text)) return;
        const retry =
          typeof retryCount === 'number' && typeof retryTime === 'number'
            ? { broker: lastBroker, attempt: retryCount + 1, attempts: retries + 1, nextTryInMs: retryTime }
            : undefined;
        const what = text.replace(/^Failed to connect to seed broker, trying another broker from the list: /, '');
        const next =
          retry && retry.attempt < retry.attempts
            ? `next try in ${(retry.nextTryInMs / 1000).toFixed(1)} s`
            : 'no tries left';
        const line = retry
          ? `${what} (broker ${retry.broker ?? options.brokers.join(',')}; attempt ${retry.attempt} of ${retry.attempts}; ${next})`
          : text;
        log?.(level === logLevel.ERROR && !retry ? 'error' : 'warn', line, retry ? { ...rest, retry } : rest);
      },
    ...(options.tls !== undefined && options.tls !== false && { ssl: options.tls }),
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
