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
  /**
   * The secured stack (`--secured`): Kafka's client listener is SASL_SSL (SCRAM-SHA-512), Cassandra
   * requires TLS and a password; other ports and its own state directory, beside the plain stack.
   */
  readonly secured: boolean;
  /** Runtime state: config, data, logs and pid files (`<repo>/.stack`, or `.stack-secured`; gitignored). */
  readonly stateDir: string;
  /** Assembled server jars, outside git and reused across runs. */
  readonly cacheDir: string;
  readonly kafka: {
    readonly port: number;
    readonly controllerPort: number;
    readonly heap: string;
    readonly readyTimeoutMs: number;
  };
  readonly cassandra: {
    readonly port: number;
    readonly storagePort: number;
    /** JMX, on loopback only and without authentication: what `nodetool` talks to. */
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

export function resolveSettings(env: Env = process.env, options: { secured?: boolean } = {}): StackSettings {
  const secured = options.secured ?? false;
  const profile = PROFILES[secured ? 'secured' : 'plain'];
  const v = (name: string) => `${profile.prefix}${name}`;
  const cacheRaw = env.RSVP_STACK_CACHE;
  const cacheDir =
    cacheRaw !== undefined && cacheRaw.trim() !== ''
      ? path.resolve(cacheRaw)
      : path.join(homedir(), '.cache', 'rsvp-stack');
  const settings: StackSettings = {
    secured,
    stateDir: path.join(REPO_ROOT, profile.dir),
    cacheDir,
    kafka: {
      port: portFrom(env, v('KAFKA_PORT'), profile.kafka.port),
      controllerPort: portFrom(env, v('KAFKA_CONTROLLER_PORT'), profile.kafka.controllerPort),
      heap: heapFrom(env, v('KAFKA_HEAP'), profile.kafka.heap),
      readyTimeoutMs: secondsFrom(env, 'RSVP_KAFKA_READY_TIMEOUT', 120),
    },
    cassandra: {
      port: portFrom(env, v('CASSANDRA_PORT'), profile.cassandra.port),
      storagePort: portFrom(env, v('CASSANDRA_STORAGE_PORT'), profile.cassandra.storagePort),
      jmxPort: portFrom(env, v('CASSANDRA_JMX_PORT'), profile.cassandra.jmxPort),
      heap: heapFrom(env, v('CASSANDRA_HEAP'), profile.cassandra.heap),
      readyTimeoutMs: secondsFrom(env, 'RSVP_CASSANDRA_READY_TIMEOUT', 180),
    },
  };
  const ports = [
    [v('KAFKA_PORT'), settings.kafka.port],
    [v('KAFKA_CONTROLLER_PORT'), settings.kafka.controllerPort],
    [v('CASSANDRA_PORT'), settings.cassandra.port],
    [v('CASSANDRA_STORAGE_PORT'), settings.cassandra.storagePort],
    [v('CASSANDRA_JMX_PORT'), settings.cassandra.jmxPort],
  ] as const;
  for (const [i, [nameA, portA]] of ports.entries()) {
    for (const [nameB, portB] of ports.slice(i + 1)) {
      if (portA === portB) throw new Error(`${nameA} and ${nameB} are both ${portA}`);
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

export function connectionSettings(env: Env = process.env): ConnectionSettings {
  const settings = resolveSettings(env);
  return {
    kafka: { brokers: [`${HOST}:${settings.kafka.port}`] },
    cassandra: {
      contactPoints: [HOST],
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
