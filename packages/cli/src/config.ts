import { readFileSync } from 'node:fs';
import {
  type CassandraOptions,
  CONSISTENCY_LEVELS,
  type ConsistencyName,
  checkCassandraOptions,
  type SerialConsistencyName,
} from '@rsvp/adapter-cassandra';
import { checkKafkaConnectionOptions, DEFAULT_KAFKA_RETRIES, type KafkaConnectionOptions } from '@rsvp/adapter-kafka';
import {
  DEFAULT_PIPELINE_SETTINGS,
  type PipelineSettings,
  parseDuration,
  parseWindowSpec,
  type WindowSpec,
} from '@rsvp/core';
import { redactPassword } from './secret.js';

/** Everything the roles need, validated once, from flags and their environment variables. */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** Browsers reach the API over HTTPS (a proxy terminates TLS): the CSP upgrades insecure requests. */
  readonly behindTls: boolean;
  /** Origins whose pages may read the GET API and `/api/live` (CORS); off when undefined. */
  readonly corsOrigins: readonly string[] | '*' | undefined;
  /** Serve Prometheus metrics at `/metrics` on this port too (on `host`); off when undefined. */
  readonly metricsPort: number | undefined;
  /** An NDJSON file of recorded RSVPs to replay instead of the simulator. */
  readonly replay: string | undefined;
  /** Messages per second; a replay runs as fast as it can unless given one. */
  readonly rate: number | undefined;
  /** Stop producing after this many messages. */
  readonly count: number | undefined;
  readonly seed: number;
  readonly venues: number;
  readonly batchSize: number;
  readonly progressIntervalMs: number;
  /** How often the API's maintained view asks the store for new change records. */
  readonly viewRefreshMs: number;
  readonly logLevel: string;
  readonly pipeline: PipelineSettings;
  /** The memory store forgets windows that started longer ago than this (event time). */
  readonly windowRetentionMs: number;
  readonly source: 'memory' | 'kafka';
  readonly store: 'memory' | 'cassandra';
  readonly kafka: {
    /** The Kafka adapter's own options, whole: what is read here reaches `createKafka` (its `log` aside). */
    readonly connection: KafkaConnectionOptions;
    readonly topic: string;
    readonly deadLetterTopic: string;
    readonly groupId: string;
    readonly partitions: number;
    readonly replicationFactor: number;
    /** `min.insync.replicas` of the topics this creates: a majority of the replicas (2 of 3), 1 for 1 or 2. */
    readonly minInSyncReplicas: number;
    readonly sessionTimeoutMs: number;
  };
  /** The Cassandra adapter's own options, whole: what is read here reaches `createCassandraCountStore`. */
  readonly cassandra: CassandraOptions;
}

/** Passwords come from the environment only, never from flags (which `ps` shows). */
export const SECRET_ENV = {
  kafkaSaslPassword: 'RSVP_KAFKA_SASL_PASSWORD',
  cassandraPassword: 'RSVP_CASSANDRA_PASSWORD',
} as const;

export type Secrets = { readonly [K in keyof typeof SECRET_ENV]?: string | undefined };

export const DEFAULT_RATE = 200;

/** The raw option values commander hands over: strings, or undefined when not given. */
export type RawOptions = Partial<Record<keyof typeof OPTION_HELP, string>>;

/** The options every role accepts: flag, environment variable, default and help, in one table. */
export const OPTION_HELP = {
  host: ['--host <address>', 'RSVP_HOST', '127.0.0.1', 'address the API listens on (0.0.0.0 to expose it)'],
  port: ['--port <port>', 'RSVP_PORT', '5001', 'port the API listens on'],
  behindTls: [
    '--behind-tls <on|off>',
    'RSVP_BEHIND_TLS',
    'off',
    'browsers reach the API over HTTPS (a TLS-terminating proxy): the CSP upgrades insecure requests, HSTS is sent',
  ],
  corsOrigin: [
    '--cors-origin <list|*>',
    'RSVP_CORS_ORIGIN',
    undefined,
    'origins (scheme://host[:port],…) whose pages may read the GET API and /api/live, or * for any (off by default)',
  ],
  metricsPort: [
    '--metrics-port <port>',
    'RSVP_METRICS_PORT',
    undefined,
    'serve Prometheus metrics at /metrics on this port, on --host (any role; off by default)',
  ],
  replay: [
    '--replay <file>',
    'RSVP_REPLAY',
    undefined,
    'replay an NDJSON file (gunzipped when it ends in .gz) of recorded RSVPs instead of simulating',
  ],
  rate: [
    '--rate <per-second>',
    'RSVP_RATE',
    undefined,
    `messages per second (endless simulator: ${DEFAULT_RATE}; a replay or --count messages run flat out unless set)`,
  ],
  count: ['--count <n>', 'RSVP_COUNT', undefined, 'stop producing after n messages (simulator: endless by default)'],
  seed: ['--seed <n>', 'RSVP_SEED', '2017', 'seed of the simulator'],
  venues: ['--venues <n>', 'RSVP_VENUES', '2000', 'venues the simulator knows'],
  windows: [
    '--windows <list>',
    'RSVP_WINDOWS',
    '1m,1h/5m',
    'event-time windows: size (tumbling) or size/slide (hopping)',
  ],
  outOfOrderness: [
    '--out-of-orderness <duration>',
    'RSVP_OUT_OF_ORDERNESS',
    '5s',
    'how far the watermark trails the latest event time',
  ],
  allowedLateness: [
    '--allowed-lateness <duration>',
    'RSVP_ALLOWED_LATENESS',
    '1m',
    'how long a window stays open after the watermark passes it',
  ],
  windowRetention: [
    '--window-retention <duration>',
    'RSVP_WINDOW_RETENTION',
    '2h',
    'windows that started longer ago than this are forgotten (memory store), or expire this long after their last write (Cassandra TTL)',
  ],
  batchSize: ['--batch-size <n>', 'RSVP_BATCH_SIZE', '5000', 'most records per batch: one store commit each'],
  stateRetention: [
    '--state-retention <duration>',
    'RSVP_STATE_RETENTION',
    '7d',
    "how long an RSVP's state is kept: until the watermark passes its latest message or its event's start by this much; later messages of it are filtered as expired",
  ],
  heldRsvps: [
    '--held-rsvps <n>',
    'RSVP_HELD_RSVPS',
    '100000',
    'RSVP states a partition keeps in memory; past this they are read back from the store as batches need them',
  ],
  viewRefresh: [
    '--view-refresh <duration>',
    'RSVP_VIEW_REFRESH',
    '50ms',
    "how often the API's view reads the store's new change records (the memory store tells it at once)",
  ],
  progressInterval: [
    '--progress-interval <duration>',
    'RSVP_PROGRESS_INTERVAL',
    '5s',
    'how often to log a progress line',
  ],
  logLevel: ['--log-level <level>', 'RSVP_LOG_LEVEL', 'info', 'fatal, error, warn, info, debug or trace'],
  source: ['--source <kind>', 'RSVP_SOURCE', 'memory', 'where RSVPs flow through: memory (in this process) or kafka'],
  store: ['--store <kind>', 'RSVP_STORE', 'memory', 'where counts are kept: memory (in this process) or cassandra'],
  kafkaBrokers: [
    '--kafka-brokers <list>',
    'RSVP_KAFKA_BROKERS',
    '127.0.0.1:9092',
    'Kafka bootstrap brokers, host:port,…',
  ],
  kafkaTopic: ['--kafka-topic <name>', 'RSVP_KAFKA_TOPIC', 'rsvps', 'topic of the RSVP messages'],
  kafkaDlqTopic: ['--kafka-dlq-topic <name>', 'RSVP_KAFKA_DLQ_TOPIC', 'rsvps.dlq', 'topic of the rejected records'],
  kafkaGroup: ['--kafka-group <id>', 'RSVP_KAFKA_GROUP', 'rsvp-processor', 'consumer group of the processors'],
  kafkaPartitions: [
    '--kafka-partitions <n>',
    'RSVP_KAFKA_PARTITIONS',
    '6',
    'partitions of the topics when this creates them',
  ],
  kafkaReplication: [
    '--kafka-replication <n>',
    'RSVP_KAFKA_REPLICATION',
    '1',
    'replication factor of the topics when this creates them',
  ],
  kafkaMinInsync: [
    '--kafka-min-insync <n>',
    'RSVP_KAFKA_MIN_INSYNC',
    undefined,
    'min.insync.replicas of the topics when this creates them (default: a majority of the replicas, 1 for replication 1 or 2)',
  ],
  kafkaSessionTimeout: [
    '--kafka-session-timeout <duration>',
    'RSVP_KAFKA_SESSION_TIMEOUT',
    '30s',
    'a silent group member loses its partitions after this long',
  ],
  kafkaRetries: [
    '--kafka-retries <n>',
    'RSVP_KAFKA_RETRIES',
    String(DEFAULT_KAFKA_RETRIES),
    'tries again this many times (waits from 0.3 s doubling to 10 s: about 80 s with 12) before giving up on Kafka',
  ],
  kafkaTls: ['--kafka-tls <on|off>', 'RSVP_KAFKA_TLS', 'off', 'TLS to the brokers (system trust store)'],
  kafkaTlsCa: [
    '--kafka-tls-ca <file>',
    'RSVP_KAFKA_TLS_CA',
    undefined,
    'PEM file of the CA certificates to trust for the brokers instead of the system store (with --kafka-tls on)',
  ],
  kafkaSaslMechanism: [
    '--kafka-sasl-mechanism <name>',
    'RSVP_KAFKA_SASL_MECHANISM',
    undefined,
    'plain, scram-sha-256 or scram-sha-512; the password from RSVP_KAFKA_SASL_PASSWORD',
  ],
  kafkaSaslUsername: ['--kafka-sasl-username <name>', 'RSVP_KAFKA_SASL_USERNAME', undefined, 'SASL user name'],
  cassandraContactPoints: [
    '--cassandra-contact-points <list>',
    'RSVP_CASSANDRA_CONTACT_POINTS',
    '127.0.0.1:9042',
    'Cassandra nodes, host[:port],…',
  ],
  cassandraDatacenter: [
    '--cassandra-datacenter <name>',
    'RSVP_CASSANDRA_DATACENTER',
    'datacenter1',
    'the local data center of the driver',
  ],
  cassandraKeyspace: [
    '--cassandra-keyspace <name>',
    'RSVP_CASSANDRA_KEYSPACE',
    'rsvp',
    'keyspace of the counts (created if missing)',
  ],
  cassandraReplication: [
    '--cassandra-replication <spec>',
    'RSVP_CASSANDRA_REPLICATION',
    'SimpleStrategy:1',
    'keyspace replication when created: SimpleStrategy:<n> or NetworkTopologyStrategy:<dc>=<n>,…',
  ],
  cassandraConsistency: [
    '--cassandra-consistency <level>',
    'RSVP_CASSANDRA_CONSISTENCY',
    'LOCAL_QUORUM',
    `reads and the commit of each conditional batch: ${CONSISTENCY_LEVELS.join(', ')}`,
  ],
  cassandraSerialConsistency: [
    '--cassandra-serial-consistency <level>',
    'RSVP_CASSANDRA_SERIAL_CONSISTENCY',
    'LOCAL_SERIAL',
    "the conditional batch's Paxos round: LOCAL_SERIAL or SERIAL",
  ],
  cassandraTls: ['--cassandra-tls <on|off>', 'RSVP_CASSANDRA_TLS', 'off', 'TLS to the nodes (system trust store)'],
  cassandraTlsCa: [
    '--cassandra-tls-ca <file>',
    'RSVP_CASSANDRA_TLS_CA',
    undefined,
    'PEM file of the CA certificates to trust for the nodes instead of the system store (with --cassandra-tls on)',
  ],
  cassandraUsername: [
    '--cassandra-username <name>',
    'RSVP_CASSANDRA_USERNAME',
    undefined,
    'user name; the password from RSVP_CASSANDRA_PASSWORD',
  ],
} as const satisfies Record<string, readonly [string, string, string | undefined, string]>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Thrown for a bad option; the CLI prints its message and exits with status 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function readConfig(raw: RawOptions, secrets: Secrets = {}): Config {
  const value = (key: keyof typeof OPTION_HELP): string | undefined => raw[key] ?? OPTION_HELP[key][2];
  const flag = (key: keyof typeof OPTION_HELP) => OPTION_HELP[key][0].split(' ')[0];
  const integer = (key: keyof typeof OPTION_HELP, min: number, max: number): number | undefined => {
    const text = value(key);
    if (text === undefined) return undefined;
    const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
    if (!(n >= min && n <= max))
      throw new ConfigError(`${flag(key)} must be a whole number from ${min} to ${max}, got "${text}"`);
    return n;
  };
  const duration = (key: keyof typeof OPTION_HELP): number => {
    const text = value(key) ?? '';
    const ms = text === '0' ? 0 : parseDuration(text);
    if (ms === undefined)
      throw new ConfigError(`${flag(key)} must be a duration such as 500ms, 5s, 1m or 0, got "${text}"`);
    return ms;
  };
  const windows = (value('windows') ?? '').split(',').map((text): WindowSpec => {
    const spec = parseWindowSpec(text.trim());
    if (!spec.ok) throw new ConfigError(`--windows: ${spec.problems.join('; ')}`);
    return spec.value;
  });
  if (new Set(windows.map((w) => w.name)).size !== windows.length) {
    throw new ConfigError('--windows: two windows of the same size; the API names windows by their size');
  }
  const logLevel = value('logLevel') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const onOff = (key: keyof typeof OPTION_HELP): boolean => choice(key, ['on', 'off']) === 'on';
  const choice = <T extends string>(key: keyof typeof OPTION_HELP, allowed: readonly T[]): T => {
    const text = value(key) ?? '';
    if (!(allowed as readonly string[]).includes(text))
      throw new ConfigError(`${flag(key)} must be one of ${allowed.join(', ')}, got "${text}"`);
    return text as T;
  };
  const list = (key: keyof typeof OPTION_HELP): string[] => {
    const items = (value(key) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    if (items.length === 0) throw new ConfigError(`${flag(key)} must name at least one host`);
    return items;
  };
  /** TLS: off, on with the system's trust store, or on trusting the CA certificates of a PEM file. */
  const tls = (
    key: 'kafkaTls' | 'cassandraTls',
    caKey: 'kafkaTlsCa' | 'cassandraTlsCa',
  ): false | true | { ca: string } => {
    const on = onOff(key);
    const caFile = value(caKey);
    if (caFile === undefined) return on;
    if (!on) throw new ConfigError(`${flag(caKey)} needs ${flag(key)} on`);
    let ca: string;
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new ConfigError(`${flag(caKey)}: cannot read "${caFile}" (${(error as NodeJS.ErrnoException).code})`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError(`${flag(caKey)}: "${caFile}" holds no PEM certificate`);
    }
    return { ca };
  };
  const name = (key: keyof typeof OPTION_HELP): string => {
    const text = value(key) ?? '';
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(text))
      throw new ConfigError(`${flag(key)} must be letters, digits, '.', '_' or '-', got "${text}"`);
    return text;
  };

  const saslMechanism = value('kafkaSaslMechanism');
  const sasl = (() => {
    if (saslMechanism === undefined) return undefined;
    const mechanism = choice('kafkaSaslMechanism', ['plain', 'scram-sha-256', 'scram-sha-512']);
    const username = value('kafkaSaslUsername');
    const password = secrets.kafkaSaslPassword;
    if (!username || !password) {
      throw new ConfigError(`--kafka-sasl-mechanism needs --kafka-sasl-username and ${SECRET_ENV.kafkaSaslPassword}`);
    }
    return redactPassword({ mechanism, username, password });
  })();
  const cassandraUsername = value('cassandraUsername');
  if (cassandraUsername !== undefined && !secrets.cassandraPassword) {
    throw new ConfigError(`--cassandra-username needs ${SECRET_ENV.cassandraPassword}`);
  }
  const replicationFactor = integer('kafkaReplication', 1, 100) as number;
  const minInSyncReplicas =
    integer('kafkaMinInsync', 1, replicationFactor) ??
    (replicationFactor <= 2 ? 1 : Math.floor(replicationFactor / 2) + 1);
  const windowRetentionMs = duration('windowRetention');
  const allowedLatenessMs = duration('allowedLateness');
  const maxOutOfOrdernessMs = duration('outOfOrderness');
  const longest = Math.max(...windows.map((w) => w.sizeMs)) + allowedLatenessMs + maxOutOfOrdernessMs;
  if (windowRetentionMs <= longest) {
    throw new ConfigError(
      `--window-retention must exceed the largest window plus lateness and out-of-orderness (${longest} ms)`,
    );
  }
  const corsOrigins = ((): readonly string[] | '*' | undefined => {
    const text = value('corsOrigin');
    if (text === undefined) return undefined;
    if (text.trim() === '*') return '*';
    const origins = text
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    if (origins.length === 0) throw new ConfigError('--cors-origin must name at least one origin, or be *');
    for (const origin of origins) {
      const parsed = URL.canParse(origin) ? new URL(origin) : undefined;
      if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
        throw new ConfigError(
          `--cors-origin: "${origin}" is not an origin such as https://map.example.com or http://localhost:8080`,
        );
      }
    }
    return origins;
  })();
  const host = value('host') ?? '';
  if (host === '') throw new ConfigError('--host must not be empty');

  // The adapters' own options, checked here by the adapters' own rules: a bad value is bad usage (exit 2).
  const kafkaTls = tls('kafkaTls', 'kafkaTlsCa');
  const kafkaConnection: KafkaConnectionOptions = {
    brokers: list('kafkaBrokers'),
    clientId: 'rsvp',
    retries: integer('kafkaRetries', 0, 100) as number,
    ...(kafkaTls !== false && { tls: kafkaTls === true ? true : { ca: [kafkaTls.ca] } }),
    ...(sasl && { sasl }),
  };
  const cassandraTls = tls('cassandraTls', 'cassandraTlsCa');
  const cassandra: CassandraOptions = {
    contactPoints: list('cassandraContactPoints'),
    localDataCenter: value('cassandraDatacenter') ?? '',
    keyspace: value('cassandraKeyspace') ?? '',
    replication: value('cassandraReplication') ?? '',
    // Upper-cased only: the adapter's check below refuses a level it does not know.
    consistency: (value('cassandraConsistency') ?? '').toUpperCase() as ConsistencyName,
    serialConsistency: (value('cassandraSerialConsistency') ?? '').toUpperCase() as SerialConsistencyName,
    windowRetentionMs,
    ...(cassandraTls !== false && { tls: cassandraTls }),
    ...(cassandraUsername !== undefined && {
      credentials: redactPassword({ username: cassandraUsername, password: secrets.cassandraPassword as string }),
    }),
  };
  try {
    checkKafkaConnectionOptions(kafkaConnection);
  } catch (error) {
    throw new ConfigError(`Kafka: ${(error as Error).message}`);
  }
  try {
    checkCassandraOptions(cassandra);
  } catch (error) {
    throw new ConfigError(`Cassandra: ${(error as Error).message}`);
  }

  return {
    host,
    port: integer('port', 0, 65_535) as number,
    behindTls: onOff('behindTls'),
    corsOrigins,
    metricsPort: integer('metricsPort', 0, 65_535),
    replay: value('replay'),
    rate: integer('rate', 1, 1_000_000),
    count: integer('count', 0, Number.MAX_SAFE_INTEGER),
    seed: integer('seed', 0, 2 ** 32 - 1) as number,
    venues: integer('venues', 1, 1_000_000) as number,
    batchSize: integer('batchSize', 1, 100_000) as number,
    progressIntervalMs: Math.max(duration('progressInterval'), 100),
    viewRefreshMs: duration('viewRefresh'),
    logLevel,
    windowRetentionMs,
    source: choice('source', ['memory', 'kafka']),
    store: choice('store', ['memory', 'cassandra']),
    kafka: {
      connection: kafkaConnection,
      topic: name('kafkaTopic'),
      deadLetterTopic: name('kafkaDlqTopic'),
      groupId: name('kafkaGroup'),
      partitions: integer('kafkaPartitions', 1, 10_000) as number,
      replicationFactor,
      minInSyncReplicas,
      sessionTimeoutMs: duration('kafkaSessionTimeout'),
    },
    cassandra,
    pipeline: {
      ...DEFAULT_PIPELINE_SETTINGS,
      windows,
      maxOutOfOrdernessMs,
      allowedLatenessMs,
      maxHeldRsvps: integer('heldRsvps', 1, 100_000_000) as number,
      rsvpRetentionMs: duration('stateRetention'),
    },
  };
}
