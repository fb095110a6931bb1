/**
 * Resolved settings of the local stack: where things live and which loopback ports the
 * servers use. Everything is derived from environment variables with fixed defaults, so
 * the CLI, the servers' configuration and the tests agree without passing anything around.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Loopback only: the servers never listen on another interface. */
export const HOST = '127.0.0.1';

/** Most nodes of each server: Cassandra's nodes take the loopback addresses 127.0.0.1 … 127.0.0.<n>. */
export const MAX_NODES = 9;

/** The loopback address of Cassandra node `index` (0-based): 127.0.0.1, 127.0.0.2, … as `ccm` does. */
export function nodeHost(index: number): string {
  return `127.0.0.${index + 1}`;
}

/** Data centre of a single node using SimpleSnitch (Cassandra's default name). */
export const CASSANDRA_LOCAL_DATA_CENTER = 'datacenter1';

/** The directory of the package.json named @rsvp/stack above this module (from src/ or dist/src/). */
function findPackageDir(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (name === '@rsvp/stack') return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`no @rsvp/stack package.json above ${start}`);
  }
}

/** The @rsvp/stack package directory (…/stack). */
export const STACK_PACKAGE_DIR = findPackageDir(path.dirname(fileURLToPath(import.meta.url)));

/** The repository root (the pnpm workspace). */
export const REPO_ROOT = path.resolve(STACK_PACKAGE_DIR, '..');

export const TEMPLATES_DIR = path.join(STACK_PACKAGE_DIR, 'templates');

export interface StackSettings {
  /** Nodes of each server: 1 (the default stack) or a cluster of several brokers and Cassandra nodes. */
  readonly nodes: number;
  /**
   * The secured stack (`--secured`): Kafka's client listener is SASL_SSL (SCRAM-SHA-512), Cassandra
   * requires TLS and a password; other ports and its own state directory, beside the plain stack. One node.
   */
  readonly secured: boolean;
  /**
   * Runtime state: config, data, logs and pid files (`<repo>/.stack`, `<repo>/.stack-cluster` for several
   * nodes, or `<repo>/.stack-secured`; gitignored).
   */
  readonly stateDir: string;
  /** Assembled server jars, outside git and reused across runs. */
  readonly cacheDir: string;
  readonly kafka: {
    /** The client port of the first broker; broker i (0-based) listens on `port + i`. */
    readonly port: number;
    /** The KRaft controller port of the first broker; broker i's is `controllerPort + i`. */
    readonly controllerPort: number;
    readonly heap: string;
    readonly readyTimeoutMs: number;
  };
  readonly cassandra: {
    /** Native protocol port, the same on every node's address. */
    readonly port: number;
    /** Internode port, the same on every node's address. */
    readonly storagePort: number;
    /** JMX, on 127.0.0.1 only and without authentication: what `nodetool` talks to; node i's is `jmxPort + i`. */
    readonly jmxPort: number;
    readonly heap: string;
    readonly readyTimeoutMs: number;
  };
}

type Env = Readonly<Record<string, string | undefined>>;

function portFrom(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) {
    throw new Error(`${name} must be a TCP port (1-65535), got "${raw}"`);
  }
  return value;
}

function secondsFrom(env: Env, name: string, fallbackSeconds: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallbackSeconds * 1000;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number of seconds, got "${raw}"`);
  }
  return Math.round(value * 1000);
}

function heapFrom(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^\d+[kKmMgG]$/.test(raw.trim())) {
    throw new Error(`${name} must be a JVM size such as 512m or 1g, got "${raw}"`);
  }
  return raw.trim();
}

/** `RSVP_STACK_NODES`, or the `--nodes` of the command line: 1 … MAX_NODES. */
export function nodesFrom(raw: string | undefined, name = 'RSVP_STACK_NODES'): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > MAX_NODES) {
    throw new Error(`${name} must be a whole number of nodes from 1 to ${MAX_NODES}, got "${raw}"`);
  }
  return value;
}

/** The environment variables of each profile, and their defaults: the secured one uses other ports. */
const PROFILES = {
  plain: {
    dir: '.stack',
    prefix: 'RSVP_',
    kafka: { port: 9092, controllerPort: 9093, heap: '512m' },
    cassandra: { port: 9042, storagePort: 7000, jmxPort: 7199, heap: '1g' },
  },
  secured: {
    dir: '.stack-secured',
    prefix: 'RSVP_SECURED_',
    kafka: { port: 19093, controllerPort: 19094, heap: '256m' },
    cassandra: { port: 19142, storagePort: 17000, jmxPort: 17199, heap: '512m' },
  },
} as const;

/**
 * The settings of the plain stack (one node, or a cluster of `nodes`: `RSVP_STACK_NODES` unless given) or
 * of the secured one (`secured`: one node only, whatever `RSVP_STACK_NODES` says).
 */
export function resolveSettings(
  env: Env = process.env,
  options: { secured?: boolean; nodes?: number } = {},
): StackSettings {
  const secured = options.secured ?? false;
  const nodes = options.nodes ?? (secured ? 1 : nodesFrom(env.RSVP_STACK_NODES));
  if (secured && nodes !== 1) {
    throw new Error('the secured stack has one node of each server: --secured does not go with --nodes');
  }
  const cluster = nodes > 1;
  const profile = PROFILES[secured ? 'secured' : 'plain'];
  const v = (name: string) => `${profile.prefix}${name}`;
  const stateRaw = secured ? undefined : env.RSVP_STACK_DIR;
  const stateDir =
    stateRaw !== undefined && stateRaw.trim() !== ''
      ? path.resolve(REPO_ROOT, stateRaw)
      : path.join(REPO_ROOT, cluster ? '.stack-cluster' : profile.dir);
  const cacheRaw = env.RSVP_STACK_CACHE;
  const cacheDir =
    cacheRaw !== undefined && cacheRaw.trim() !== ''
      ? path.resolve(cacheRaw)
      : path.join(homedir(), '.cache', 'rsvp-stack');
  const kafkaPort = portFrom(env, v('KAFKA_PORT'), profile.kafka.port);
  const settings: StackSettings = {
    nodes,
    secured,
    stateDir,
    cacheDir,
    kafka: {
      port: kafkaPort,
      // One node: the profile's (9093). Several: right after the brokers' range (brokers 9092-9094,
      // controllers 9095-9097).
      controllerPort: portFrom(
        env,
        v('KAFKA_CONTROLLER_PORT'),
        cluster ? kafkaPort + nodes : profile.kafka.controllerPort,
      ),
      // A cluster on one small machine: smaller heaps per node (3 brokers and 3 Cassandra nodes fit in ~4 GiB).
      heap: heapFrom(env, v('KAFKA_HEAP'), cluster ? '256m' : profile.kafka.heap),
      readyTimeoutMs: secondsFrom(env, 'RSVP_KAFKA_READY_TIMEOUT', 120),
    },
    cassandra: {
      port: portFrom(env, v('CASSANDRA_PORT'), profile.cassandra.port),
      storagePort: portFrom(env, v('CASSANDRA_STORAGE_PORT'), profile.cassandra.storagePort),
      jmxPort: portFrom(env, v('CASSANDRA_JMX_PORT'), profile.cassandra.jmxPort),
      heap: heapFrom(env, v('CASSANDRA_HEAP'), cluster ? '512m' : profile.cassandra.heap),
      readyTimeoutMs: secondsFrom(env, 'RSVP_CASSANDRA_READY_TIMEOUT', 180),
    },
  };
  // The ranges every server binds on 127.0.0.1 (Cassandra's native and storage ports also on 127.0.0.2 …,
  // where nothing else listens): [first, last] per variable; they must not overlap.
  const ranges = [
    [v('KAFKA_PORT'), settings.kafka.port, nodes],
    [v('KAFKA_CONTROLLER_PORT'), settings.kafka.controllerPort, nodes],
    [v('CASSANDRA_PORT'), settings.cassandra.port, 1],
    [v('CASSANDRA_STORAGE_PORT'), settings.cassandra.storagePort, 1],
    [v('CASSANDRA_JMX_PORT'), settings.cassandra.jmxPort, nodes],
  ] as const;
  for (const [name, first, count] of ranges) {
    if (first + count - 1 > 65_535) throw new Error(`${name} ${first} leaves no room for ${count} nodes`);
  }
  for (const [i, [nameA, firstA, countA]] of ranges.entries()) {
    for (const [nameB, firstB, countB] of ranges.slice(i + 1)) {
      if (firstA < firstB + countB && firstB < firstA + countA) {
        const what = (first: number, count: number) => (count === 1 ? `${first}` : `${first}-${first + count - 1}`);
        throw new Error(`${nameA} (${what(firstA, countA)}) and ${nameB} (${what(firstB, countB)}) overlap`);
      }
    }
  }
  return settings;
}

/** How clients reach the stack; what tests and the app's local config should use. */
export interface ConnectionSettings {
  readonly kafka: {
    /** kafkajs `brokers` list, e.g. `['127.0.0.1:9092']`. */
    readonly brokers: readonly string[];
  };
  readonly cassandra: {
    /** cassandra-driver `contactPoints`, host only (pass `port` as `protocolOptions.port`). */
    readonly contactPoints: readonly string[];
    readonly port: number;
    readonly localDataCenter: string;
  };
}

/** Where the stack of `RSVP_STACK_NODES` (1 by default) and the port variables listens. */
export function connectionSettings(env: Env = process.env, nodes?: number): ConnectionSettings {
  const settings = resolveSettings(env, nodes === undefined ? {} : { nodes });
  const indexes = [...Array(settings.nodes).keys()];
  return {
    kafka: { brokers: indexes.map((i) => `${HOST}:${settings.kafka.port + i}`) },
    cassandra: {
      contactPoints: indexes.map(nodeHost),
      port: settings.cassandra.port,
      localDataCenter: CASSANDRA_LOCAL_DATA_CENTER,
    },
  };
}

/** How clients reach the secured stack: its ports, the CA to trust, and the users (after `up --secured`). */
export interface SecuredConnectionSettings {
  readonly kafka: { readonly brokers: readonly string[]; readonly username: string; readonly password: string };
  readonly cassandra: {
    readonly contactPoints: readonly string[];
    readonly port: number;
    readonly localDataCenter: string;
    readonly username: string;
    readonly password: string;
  };
  /** The private CA's certificate (PEM) that signed both servers' certificates. */
  readonly caFile: string;
}

/** The environment variable that sets one of a profile's values: `RSVP_<name>`, or `RSVP_SECURED_<name>`. */
export function settingsVariable(settings: Pick<StackSettings, 'secured'>, name: string): string {
  return `${settings.secured ? PROFILES.secured.prefix : PROFILES.plain.prefix}${name}`;
}
