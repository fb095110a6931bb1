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

/** Thrown for a bad option; the CLI prints its message and exits with status 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads one option's text (undefined: neither given nor defaulted) into its value; `flag` names it in errors. */
type Parse<T> = (text: string | undefined, flag: string) => T;

/**
 * One option of every role, whole: commander's flag and help (`cli.ts`), its environment variable, its
 * default, and how its text is read and checked (`readConfig`). The README's options table is checked
 * against these records (`options-table.test.ts`).
 */
export interface OptionSpec<T> {
  /** As commander takes it: `--port <port>`. */
  readonly flag: string;
  readonly env: `RSVP_${string}`;
  /** The text used when neither the flag nor the variable is given, as if given. */
  readonly default?: string;
  /** What no value means, when there is no default text (`off`, `endless`): for `--help` and the README. */
  readonly unset?: string;
  readonly help: string;
  readonly parse: Parse<T>;
}

const option = <T>(spec: OptionSpec<T>): OptionSpec<T> => spec;

/** `--port <port>` → `--port`, as error messages name it. */
export const flagOf = (spec: Pick<OptionSpec<unknown>, 'flag'>): string => spec.flag.split(' ')[0] ?? spec.flag;

/** What `--help` and the README show as the default: the default text, or what no value means. */
export const shownDefault = (spec: Pick<OptionSpec<unknown>, 'default' | 'unset'>): string | undefined =>
  spec.default ?? spec.unset;

// The readers. Those of options with a default see '' only if the default were missing: an error, not a value.
const optional =
  <T>(parse: Parse<T>): Parse<T | undefined> =>
  (text, flag) =>
    text === undefined ? undefined : parse(text, flag);

const text: Parse<string | undefined> = (value) => value;

const wholeNumber =
  (min: number, max: number): Parse<number> =>
  (value = '', flag) => {
    const n = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max))
      throw new ConfigError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
    return n;
  };

const duration: Parse<number> = (value = '', flag) => {
  const ms = value === '0' ? 0 : parseDuration(value);
  if (ms === undefined) throw new ConfigError(`${flag} must be a duration such as 500ms, 5s, 1m or 0, got "${value}"`);
  return ms;
};

const oneOf =
  <const T extends string>(allowed: readonly T[]): Parse<T> =>
  (value = '', flag) => {
    if (!(allowed as readonly string[]).includes(value))
      throw new ConfigError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
    return value as T; // just checked: one of `allowed`
  };

const onOff: Parse<boolean> = (value, flag) => oneOf(['on', 'off'])(value, flag) === 'on';

const hosts: Parse<string[]> = (value = '', flag) => {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new ConfigError(`${flag} must name at least one host`);
  return items;
};

const topicOrGroup: Parse<string> = (value = '', flag) => {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(value))
    throw new ConfigError(`${flag} must be letters, digits, '.', '_' or '-', got "${value}"`);
  return value;
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const logLevel: Parse<string> = (value = '', flag) => {
  if (!LOG_LEVELS.includes(value)) throw new ConfigError(`${flag} must be one of ${LOG_LEVELS.join(', ')}`);
  return value;
};

const windows: Parse<WindowSpec[]> = (value = '', flag) => {
  const specs = value.split(',').map((part): WindowSpec => {
    const spec = parseWindowSpec(part.trim());
    if (!spec.ok) throw new ConfigError(`${flag}: ${spec.problems.join('; ')}`);
    return spec.value;
  });
  if (new Set(specs.map((w) => w.name)).size !== specs.length) {
    throw new ConfigError(`${flag}: two windows of the same size; the API names windows by their size`);
  }
  return specs;
};

const origins: Parse<readonly string[] | '*' | undefined> = (value, flag) => {
  if (value === undefined) return undefined;
  if (value.trim() === '*') return '*';
  const list = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (list.length === 0) throw new ConfigError(`${flag} must name at least one origin, or be *`);
  for (const origin of list) {
    const parsed = URL.canParse(origin) ? new URL(origin) : undefined;
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError(
        `${flag}: "${origin}" is not an origin such as https://map.example.com or http://localhost:8080`,
      );
    }
  }
  return list;
};

const nonEmpty: Parse<string> = (value = '', flag) => {
  if (value === '') throw new ConfigError(`${flag} must not be empty`);
  return value;
};

// Upper-cased only: the Cassandra adapter's own check (in readConfig) refuses a level it does not know.
const consistency: Parse<ConsistencyName> = (value = '') => value.toUpperCase() as ConsistencyName;
const serialConsistency: Parse<SerialConsistencyName> = (value = '') => value.toUpperCase() as SerialConsistencyName;

/** The options every role accepts, in the order of `--help` and of the README's table. */
export const OPTIONS = {
  host: option({
    flag: '--host <address>',
    env: 'RSVP_HOST',
    default: '127.0.0.1',
    help: 'address the API listens on (0.0.0.0 to expose it)',
    parse: nonEmpty,
  }),
  port: option({
    flag: '--port <port>',
    env: 'RSVP_PORT',
    default: '5001',
    help: 'port the API listens on',
    parse: wholeNumber(0, 65_535),
  }),
  behindTls: option({
    flag: '--behind-tls <on|off>',
    env: 'RSVP_BEHIND_TLS',
    default: 'off',
    help: 'browsers reach the API over HTTPS (a TLS-terminating proxy): the CSP upgrades insecure requests, HSTS is sent',
    parse: onOff,
  }),
  corsOrigin: option({
    flag: '--cors-origin <list|*>',
    env: 'RSVP_CORS_ORIGIN',
    unset: 'off',
    help: 'origins (scheme://host[:port],…) whose pages may read the GET API and /api/live, or * for any',
    parse: origins,
  }),
  metricsPort: option({
    flag: '--metrics-port <port>',
    env: 'RSVP_METRICS_PORT',
    unset: 'off',
    help: 'serve Prometheus metrics at /metrics on this port, on --host (any role)',
    parse: optional(wholeNumber(0, 65_535)),
  }),
  replay: option({
    flag: '--replay <file>',
    env: 'RSVP_REPLAY',
    help: 'replay an NDJSON file (gunzipped when it ends in .gz) of recorded RSVPs instead of simulating',
    parse: text,
  }),
  rate: option({
    flag: '--rate <per-second>',
    env: 'RSVP_RATE',
    unset: `${DEFAULT_RATE} (endless simulator)`,
    help: 'messages per second; a replay, or a simulation of --count messages, runs flat out unless set',
    parse: optional(wholeNumber(1, 1_000_000)),
  }),
  count: option({
    flag: '--count <n>',
    env: 'RSVP_COUNT',
    unset: 'endless',
    help: 'stop producing after n messages (simulator)',
    parse: optional(wholeNumber(0, Number.MAX_SAFE_INTEGER)),
  }),
  seed: option({
    flag: '--seed <n>',
    env: 'RSVP_SEED',
    default: '2017',
    help: 'seed of the simulator',
    parse: wholeNumber(0, 2 ** 32 - 1),
  }),
  venues: option({
    flag: '--venues <n>',
    env: 'RSVP_VENUES',
    default: '2000',
    help: 'venues the simulator knows',
    parse: wholeNumber(1, 1_000_000),
  }),
  windows: option({
    flag: '--windows <list>',
    env: 'RSVP_WINDOWS',
    default: '1m,1h/5m',
    help: 'event-time windows: size (tumbling) or size/slide (hopping)',
    parse: windows,
  }),
  outOfOrderness: option({
    flag: '--out-of-orderness <duration>',
    env: 'RSVP_OUT_OF_ORDERNESS',
    default: '5s',
    help: 'how far the watermark trails the latest event time',
    parse: duration,
  }),
  allowedLateness: option({
    flag: '--allowed-lateness <duration>',
    env: 'RSVP_ALLOWED_LATENESS',
    default: '1m',
    help: 'how long a window stays open after the watermark passes it',
    parse: duration,
  }),
  windowRetention: option({
    flag: '--window-retention <duration>',
    env: 'RSVP_WINDOW_RETENTION',
    default: '2h',
    help: 'windows that started longer ago than this are forgotten (memory store), or expire this long after their last write (Cassandra TTL)',
    parse: duration,
  }),
  batchSize: option({
    flag: '--batch-size <n>',
    env: 'RSVP_BATCH_SIZE',
    default: '5000',
    help: 'most records per batch: one store commit each',
    parse: wholeNumber(1, 100_000),
  }),
  heldRsvps: option({
    flag: '--held-rsvps <n>',
    env: 'RSVP_HELD_RSVPS',
    default: '20000',
    help: 'RSVP states a partition keeps in memory; past this they are read back from the store as batches need them',
    parse: wholeNumber(1, 100_000_000),
  }),
  stateRetention: option({
    flag: '--state-retention <duration>',
    env: 'RSVP_STATE_RETENTION',
    default: '7d',
    help: "how long an RSVP's state is kept: until the watermark passes its latest message or its event's start by this much; later messages of it are filtered as expired",
    parse: duration,
  }),
  viewRefresh: option({
    flag: '--view-refresh <duration>',
    env: 'RSVP_VIEW_REFRESH',
    default: '50ms',
    help: "how often the API's view reads the store's new change records (the memory store tells it at once)",
    parse: duration,
  }),
  progressInterval: option({
    flag: '--progress-interval <duration>',
    env: 'RSVP_PROGRESS_INTERVAL',
    default: '5s',
    help: 'how often to log a progress line',
    // At most ten lines a second, whatever is asked.
    parse: (value, flag) => Math.max(duration(value, flag), 100),
  }),
  logLevel: option({
    flag: '--log-level <level>',
    env: 'RSVP_LOG_LEVEL',
    default: 'info',
    help: 'fatal, error, warn, info, debug or trace, or silent',
    parse: logLevel,
  }),
  source: option({
    flag: '--source <kind>',
    env: 'RSVP_SOURCE',
    default: 'memory',
    help: 'where RSVPs flow through: memory (in this process) or kafka',
    parse: oneOf(['memory', 'kafka']),
  }),
  store: option({
    flag: '--store <kind>',
    env: 'RSVP_STORE',
    default: 'memory',
    help: 'where counts are kept: memory (in this process) or cassandra',
    parse: oneOf(['memory', 'cassandra']),
  }),
  kafkaBrokers: option({
    flag: '--kafka-brokers <list>',
    env: 'RSVP_KAFKA_BROKERS',
    default: '127.0.0.1:9092',
    help: 'Kafka bootstrap brokers, host:port,…',
    parse: hosts,
  }),
  kafkaTopic: option({
    flag: '--kafka-topic <name>',
    env: 'RSVP_KAFKA_TOPIC',
    default: 'rsvps',
    help: 'topic of the RSVP messages',
    parse: topicOrGroup,
  }),
  kafkaDlqTopic: option({
    flag: '--kafka-dlq-topic <name>',
    env: 'RSVP_KAFKA_DLQ_TOPIC',
    default: 'rsvps.dlq',
    help: 'topic of the rejected records',
    parse: topicOrGroup,
  }),
  kafkaGroup: option({
    flag: '--kafka-group <id>',
    env: 'RSVP_KAFKA_GROUP',
    default: 'rsvp-processor',
    help: 'consumer group of the processors',
    parse: topicOrGroup,
  }),
  kafkaPartitions: option({
    flag: '--kafka-partitions <n>',
    env: 'RSVP_KAFKA_PARTITIONS',
    default: '6',
    help: 'partitions of the topics when this creates them',
    parse: wholeNumber(1, 10_000),
  }),
  kafkaReplication: option({
    flag: '--kafka-replication <n>',
    env: 'RSVP_KAFKA_REPLICATION',
    default: '1',
    help: 'replication factor of the topics when this creates them',
    parse: wholeNumber(1, 100),
  }),
  kafkaMinInsync: option({
    flag: '--kafka-min-insync <n>',
    env: 'RSVP_KAFKA_MIN_INSYNC',
    unset: 'a majority',
    help: 'min.insync.replicas of the topics when this creates them (a majority of the replicas: 1 for replication 1 or 2)',
    parse: text, // a whole number up to --kafka-replication: read in readConfig, which knows both
  }),
  kafkaSessionTimeout: option({
    flag: '--kafka-session-timeout <duration>',
    env: 'RSVP_KAFKA_SESSION_TIMEOUT',
    default: '30s',
    help: 'a silent group member loses its partitions after this long',
    parse: duration,
  }),
  kafkaTls: option({
    flag: '--kafka-tls <on|off>',
    env: 'RSVP_KAFKA_TLS',
    default: 'off',
    help: 'TLS to the brokers (system trust store)',
    parse: onOff,
  }),
  kafkaTlsCa: option({
    flag: '--kafka-tls-ca <file>',
    env: 'RSVP_KAFKA_TLS_CA',
    help: 'PEM file of the CA certificates to trust for the brokers instead of the system store (with --kafka-tls on)',
    parse: text,
  }),
  kafkaRetries: option({
    flag: '--kafka-retries <n>',
    env: 'RSVP_KAFKA_RETRIES',
    default: String(DEFAULT_KAFKA_RETRIES),
    help: 'tries again this many times (waits from 0.3 s doubling to 10 s: about 80 s with 12) before giving up on Kafka',
    parse: wholeNumber(0, 100),
  }),
  kafkaSaslMechanism: option({
    flag: '--kafka-sasl-mechanism <name>',
    env: 'RSVP_KAFKA_SASL_MECHANISM',
    help: `plain, scram-sha-256 or scram-sha-512; the password from ${SECRET_ENV.kafkaSaslPassword}`,
    parse: optional(oneOf(['plain', 'scram-sha-256', 'scram-sha-512'])),
  }),
  kafkaSaslUsername: option({
    flag: '--kafka-sasl-username <name>',
    env: 'RSVP_KAFKA_SASL_USERNAME',
    help: 'SASL user name',
    parse: text,
  }),
  cassandraContactPoints: option({
    flag: '--cassandra-contact-points <list>',
    env: 'RSVP_CASSANDRA_CONTACT_POINTS',
    default: '127.0.0.1:9042',
    help: 'Cassandra nodes, host[:port],…',
    parse: hosts,
  }),
  cassandraDatacenter: option({
    flag: '--cassandra-datacenter <name>',
    env: 'RSVP_CASSANDRA_DATACENTER',
    default: 'datacenter1',
    help: 'the local data center of the driver',
    parse: (value = '') => value, // checked by the Cassandra adapter's own rule
  }),
  cassandraKeyspace: option({
    flag: '--cassandra-keyspace <name>',
    env: 'RSVP_CASSANDRA_KEYSPACE',
    default: 'rsvp',
    help: 'keyspace of the counts (created if missing)',
    parse: (value = '') => value, // checked by the Cassandra adapter's own rule
  }),
  cassandraReplication: option({
    flag: '--cassandra-replication <spec>',
    env: 'RSVP_CASSANDRA_REPLICATION',
    default: 'SimpleStrategy:1',
    help: 'keyspace replication when created: SimpleStrategy:<n> or NetworkTopologyStrategy:<dc>=<n>,…',
    parse: (value = '') => value, // checked by the Cassandra adapter's own rule
  }),
  cassandraConsistency: option({
    flag: '--cassandra-consistency <level>',
    env: 'RSVP_CASSANDRA_CONSISTENCY',
    default: 'LOCAL_QUORUM',
    help: `reads and the commit of each conditional batch: ${CONSISTENCY_LEVELS.join(', ')}`,
    parse: consistency,
  }),
  cassandraSerialConsistency: option({
    flag: '--cassandra-serial-consistency <level>',
    env: 'RSVP_CASSANDRA_SERIAL_CONSISTENCY',
    default: 'LOCAL_SERIAL',
    help: "the conditional batch's Paxos round: LOCAL_SERIAL or SERIAL",
    parse: serialConsistency,
  }),
  cassandraTls: option({
    flag: '--cassandra-tls <on|off>',
    env: 'RSVP_CASSANDRA_TLS',
    default: 'off',
    help: 'TLS to the nodes (system trust store)',
    parse: onOff,
  }),
  cassandraTlsCa: option({
    flag: '--cassandra-tls-ca <file>',
    env: 'RSVP_CASSANDRA_TLS_CA',
    help: 'PEM file of the CA certificates to trust for the nodes instead of the system store (with --cassandra-tls on)',
    parse: text,
  }),
  cassandraUsername: option({
    flag: '--cassandra-username <name>',
    env: 'RSVP_CASSANDRA_USERNAME',
    help: `user name; the password from ${SECRET_ENV.cassandraPassword}`,
    parse: text,
  }),
};

export type OptionKey = keyof typeof OPTIONS;

/** The records with their keys, in order (`Object.entries` would forget the key type). */
export const OPTION_ENTRIES = Object.entries(OPTIONS) as readonly (readonly [OptionKey, OptionSpec<unknown>])[];

/** The raw option values commander hands over: strings, or undefined when not given. */
export type RawOptions = Partial<Record<OptionKey, string>>;

/** Every option read by its own record: what each `parse` returns. */
type OptionValues = { readonly [K in OptionKey]: ReturnType<(typeof OPTIONS)[K]['parse']> };

function readOptions(raw: RawOptions): OptionValues {
  const values: Partial<Record<OptionKey, unknown>> = {};
  for (const [key, spec] of OPTION_ENTRIES) {
    values[key] = spec.parse(raw[key] ?? spec.default, flagOf(spec));
  }
  return values as OptionValues; // each value is what its own record's parse returned, just above
}

export function readConfig(raw: RawOptions, secrets: Secrets = {}): Config {
  const v = readOptions(raw);
  const flag = (key: OptionKey) => flagOf(OPTIONS[key]);
  /** TLS: off, on with the system's trust store, or on trusting the CA certificates of a PEM file. */
  const tls = (on: boolean, caFile: string | undefined, key: OptionKey, caKey: OptionKey): boolean | { ca: string } => {
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

  // What one option cannot check alone.
  const sasl = (() => {
    if (v.kafkaSaslMechanism === undefined) return undefined;
    const username = v.kafkaSaslUsername;
    const password = secrets.kafkaSaslPassword;
    if (!username || !password) {
      throw new ConfigError(
        `${flag('kafkaSaslMechanism')} needs ${flag('kafkaSaslUsername')} and ${SECRET_ENV.kafkaSaslPassword}`,
      );
    }
    return redactPassword({ mechanism: v.kafkaSaslMechanism, username, password });
  })();
  const cassandraPassword = secrets.cassandraPassword;
  if (v.cassandraUsername !== undefined && !cassandraPassword) {
    throw new ConfigError(`${flag('cassandraUsername')} needs ${SECRET_ENV.cassandraPassword}`);
  }
  const replicationFactor = v.kafkaReplication;
  const minInSyncReplicas =
    optional(wholeNumber(1, replicationFactor))(v.kafkaMinInsync, flag('kafkaMinInsync')) ??
    (replicationFactor <= 2 ? 1 : Math.floor(replicationFactor / 2) + 1);
  const longest = Math.max(...v.windows.map((w) => w.sizeMs)) + v.allowedLateness + v.outOfOrderness;
  if (v.windowRetention <= longest) {
    throw new ConfigError(
      `${flag('windowRetention')} must exceed the largest window plus lateness and out-of-orderness (${longest} ms)`,
    );
  }

  // The adapters' own options, checked here by the adapters' own rules: a bad value is bad usage (exit 2).
  const kafkaTls = tls(v.kafkaTls, v.kafkaTlsCa, 'kafkaTls', 'kafkaTlsCa');
  const kafkaConnection: KafkaConnectionOptions = {
    brokers: v.kafkaBrokers,
    clientId: 'rsvp',
    retries: v.kafkaRetries,
    ...(kafkaTls !== false && { tls: kafkaTls === true ? true : { ca: [kafkaTls.ca] } }),
    ...(sasl && { sasl }),
  };
  const cassandraTls = tls(v.cassandraTls, v.cassandraTlsCa, 'cassandraTls', 'cassandraTlsCa');
  const cassandra: CassandraOptions = {
    contactPoints: v.cassandraContactPoints,
    localDataCenter: v.cassandraDatacenter,
    keyspace: v.cassandraKeyspace,
    replication: v.cassandraReplication,
    consistency: v.cassandraConsistency,
    serialConsistency: v.cassandraSerialConsistency,
    windowRetentionMs: v.windowRetention,
    ...(cassandraTls !== false && { tls: cassandraTls }),
    ...(v.cassandraUsername !== undefined &&
      cassandraPassword && {
        credentials: redactPassword({ username: v.cassandraUsername, password: cassandraPassword }),
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
    host: v.host,
    port: v.port,
    behindTls: v.behindTls,
    corsOrigins: v.corsOrigin,
    metricsPort: v.metricsPort,
    replay: v.replay,
    rate: v.rate,
    count: v.count,
    seed: v.seed,
    venues: v.venues,
    batchSize: v.batchSize,
    progressIntervalMs: v.progressInterval,
    viewRefreshMs: v.viewRefresh,
    logLevel: v.logLevel,
    windowRetentionMs: v.windowRetention,
    source: v.source,
    store: v.store,
    kafka: {
      connection: kafkaConnection,
      topic: v.kafkaTopic,
      deadLetterTopic: v.kafkaDlqTopic,
      groupId: v.kafkaGroup,
      partitions: v.kafkaPartitions,
      replicationFactor,
      minInSyncReplicas,
      sessionTimeoutMs: v.kafkaSessionTimeout,
    },
    cassandra,
    pipeline: {
      ...DEFAULT_PIPELINE_SETTINGS,
      windows: v.windows,
      maxOutOfOrdernessMs: v.outOfOrderness,
      allowedLatenessMs: v.allowedLateness,
      maxHeldRsvps: v.heldRsvps,
      rsvpRetentionMs: v.stateRetention,
    },
  };
}
