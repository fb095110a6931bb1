/** What the CLI needs to know about each server it manages. */
import * as path from 'node:path';
import type { StartedProcess } from './process-control.js';
import type { StackSettings } from './settings.js';
import type { ServerName } from './versions.js';

export interface ServerPort {
  /** The address it binds: the server's own `host` unless given. */
  readonly host?: string;
  readonly label: string;
  readonly env: string;
  readonly port: number;
}

export interface ServerPaths {
  /** `.stack/<server>`: everything of this server's runtime state. */
  readonly dir: string;
  readonly confDir: string;
  readonly dataDir: string;
  readonly logDir: string;
  readonly logFile: string;
  readonly pidFile: string;
}

export interface ManagedServer {
  /** `kafka` or `cassandra` for the one-node stack; `kafka-2`, `cassandra-3` … for a node of a cluster. */
  readonly name: string;
  /** Which server this is a node of: names its artifacts and version. */
  readonly kind: ServerName;
  /** The loopback address it listens on. */
  readonly host: string;
  readonly paths: ServerPaths;
  /** The port clients use (shown by status). */
  readonly clientPort: number;
  /** Every port the server binds, checked to be free before it starts. */
  readonly ports: readonly ServerPort[];
  readonly readyTimeoutMs: number;
  /** How long `down` waits after SIGTERM before SIGKILL. */
  readonly stopGraceMs: number;
  /** Writes configuration into `.stack/<server>/conf` and does one-time setup (e.g. format storage). */
  prepare(libDir: string): Promise<void>;
  /** Spawns the server detached, writing its pid file. */
  start(libDir: string): StartedProcess;
  /** One real client round trip; resolves with a short description, rejects if not ready. */
  probe(timeoutMs: number): Promise<string>;
  /** Optional best-effort work right after the first successful probe (e.g. create internal topics). */
  warmUp?(): Promise<string>;
}

/** The name of node `index` (0-based) of a server: the kind alone for one node, `<kind>-<n>` in a cluster. */
export function nodeName(settings: StackSettings, kind: ServerName, index: number): string {
  return settings.nodes === 1 ? kind : `${kind}-${index + 1}`;
}

export function serverPaths(settings: StackSettings, name: string): ServerPaths {
  const dir = path.join(settings.stateDir, name);
  const logDir = path.join(dir, 'logs');
  return {
    dir,
    confDir: path.join(dir, 'conf'),
    dataDir: path.join(dir, 'data'),
    logDir,
    logFile: path.join(logDir, `${name}.log`),
    pidFile: path.join(dir, `${name}.pid`),
  };
}

/** The java executable: `$JAVA_HOME/bin/java` if JAVA_HOME is set, else `java` from PATH. */
export function javaCommand(): string {
  const home = process.env.JAVA_HOME;
  return home !== undefined && home !== '' ? path.join(home, 'bin', 'java') : 'java';
}

/** Rejects after `ms` with `message`, unless `promise` settles first. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
