/** The stack's commands: up, down, status and reset, over every managed server. */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { ensureArtifacts } from './artifacts.js';
import { cassandraServer } from './cassandra-server.js';
import { kafkaServer } from './kafka-server.js';
import type { ManagedServer } from './managed-server.js';
import {
  formatDuration,
  isAlive,
  isOurProcess,
  isPortTaken,
  readPidFile,
  removePidFile,
  stopProcess,
  tailFile,
  waitUntilReady,
} from './process-control.js';
import type { StackSettings } from './settings.js';
import { loadVersions, type ServerName } from './versions.js';

export const SERVER_NAMES: readonly ServerName[] = ['kafka', 'cassandra'];

/** True for `kafka`, `cassandra` (every node of it) and, in a cluster, a node such as `kafka-2`. */
export function isServerSelector(settings: StackSettings, value: string): boolean {
  return allServers(settings).some((server) => server.kind === value || server.name === value);
}

const LOG_TAIL_LINES = 60;
const PROBE_TIMEOUT_MS = 5000;

/** Every node of every server: `kafka`, `cassandra`; or `kafka-1` … `kafka-<n>`, `cassandra-1` … */
function allServers(settings: StackSettings): ManagedServer[] {
  const indexes = [...Array(settings.nodes).keys()];
  return [...indexes.map((i) => kafkaServer(settings, i)), ...indexes.map((i) => cassandraServer(settings, i))];
}

/** The servers named by kind (every node of it) or by node name; all of them without names. */
export function managedServers(settings: StackSettings, names: readonly string[] = SERVER_NAMES): ManagedServer[] {
  return allServers(settings).filter((server) => names.includes(server.kind) || names.includes(server.name));
}

function say(server: string, message: string): void {
  console.log(`[${server.padEnd(11)}] ${message}`);
}

function printLogTail(server: ManagedServer): void {
  console.error(`\n----- last ${LOG_TAIL_LINES} lines of ${server.paths.logFile} -----`);
  console.error(tailFile(server.paths.logFile, LOG_TAIL_LINES));
  console.error(`----- end of ${server.name} log -----\n`);
}

function directorySizeBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? directorySizeBytes(full) : statSync(full).size;
  }
  return total;
}

/** The pid of our running process for this server, or undefined (removing a stale pid file). */
function runningPid(server: ManagedServer): number | undefined {
  const pid = readPidFile(server.paths.pidFile);
  if (pid === undefined) return undefined;
  if (isOurProcess(pid, server.paths.dir)) return pid;
  removePidFile(server.paths.pidFile);
  return undefined;
}

async function probeOnce(server: ManagedServer): Promise<{ ok: true; detail: string } | { ok: false; error: string }> {
  try {
    return { ok: true, detail: await server.probe(PROBE_TIMEOUT_MS) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** True when every port the server binds is free; says which is taken otherwise. */
async function portsFree(server: ManagedServer): Promise<boolean> {
  for (const { host = server.host, label, env, port } of server.ports) {
    if (await isPortTaken(host, port)) {
      say(
        server.name,
        `FAILED: ${label} port ${host}:${port} is in use by a process not started by this stack; stop it or set ${env}`,
      );
      return false;
    }
  }
  return true;
}

async function upOne(settings: StackSettings, server: ManagedServer): Promise<boolean> {
  const version = loadVersions()[server.kind].version;
  const existing = runningPid(server);
  if (existing !== undefined) {
    const probe = await probeOnce(server);
    if (probe.ok) {
      say(
        server.name,
        `already running (pid ${existing}) and ready on ${server.host}:${server.clientPort}: ${probe.detail}`,
      );
      return true;
    }
    say(server.name, `already started (pid ${existing}) but not ready yet; waiting`);
    const started = Date.now();
    const wait = await waitUntilReady(async () => (await server.probe(3000)) !== '', {
      timeoutMs: server.readyTimeoutMs,
      intervalMs: 1000,
    });
    if (wait.ready) {
      say(
        server.name,
        `ready on ${server.host}:${server.clientPort} after waiting ${formatDuration(Date.now() - started)}`,
      );
      return true;
    }
    say(server.name, `FAILED: ${wait.reason}`);
    printLogTail(server);
    return false;
  }

  if (!(await portsFree(server))) return false;

  const artifacts = await ensureArtifacts(settings, server.kind);
  if (artifacts.assembled) {
    const mib = directorySizeBytes(artifacts.libDir) / 1024 / 1024;
    say(
      server.name,
      `assembled ${server.kind} ${version} from Maven Central in ${formatDuration(artifacts.durationMs)} ` +
        `(${mib.toFixed(0)} MiB in ${artifacts.libDir})`,
    );
  }

  const started = Date.now();
  await server.prepare(artifacts.libDir);
  const child = server.start(artifacts.libDir);
  say(server.name, `started ${server.kind} ${version} (pid ${child.pid}); log: ${server.paths.logFile}`);
  let lastDetail = '';
  const wait = await waitUntilReady(
    async () => {
      lastDetail = await server.probe(3000);
      return true;
    },
    { timeoutMs: server.readyTimeoutMs, intervalMs: 500, abort: child.exited },
  );
  if (wait.ready) {
    say(
      server.name,
      `ready on ${server.host}:${server.clientPort} in ${formatDuration(Date.now() - started)}: ${lastDetail}`,
    );
    // A cluster warms up once all its nodes are ready (its internal topics need three brokers).
    if (settings.nodes === 1) await warmUp(server);
    return true;
  }
  say(server.name, `FAILED to become ready: ${wait.reason}`);
  printLogTail(server);
  if (isAlive(child.pid)) {
    say(server.name, `stopping pid ${child.pid}`);
    await stopProcess(child.pid, 10_000).catch(() => undefined);
  }
  removePidFile(server.paths.pidFile);
  return false;
}

async function warmUp(server: ManagedServer): Promise<void> {
  if (server.warmUp === undefined) return;
  const warmStarted = Date.now();
  try {
    say(server.name, `warm-up: ${await server.warmUp()} in ${formatDuration(Date.now() - warmStarted)}`);
  } catch (error) {
    say(server.name, `warm-up failed (ignored): ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Runs `action` holding `.stack/stack.lock`, so two `stack:*` commands never start or stop
 * the same servers at once. A lock left by a process that is gone is taken over.
 */
export async function withStackLock<T>(settings: StackSettings, action: () => Promise<T>): Promise<T> {
  mkdirSync(settings.stateDir, { recursive: true });
  const lockFile = path.join(settings.stateDir, 'stack.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 1 && holder !== process.pid && isAlive(holder)) {
        throw new Error(`another stack command (pid ${holder}) is running; wait for it or remove ${lockFile}`);
      }
      rmSync(lockFile, { force: true });
    }
  }
  try {
    return await action();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

export async function up(settings: StackSettings, names: readonly string[]): Promise<boolean> {
  const started = Date.now();
  // Every node at once: a KRaft quorum needs a majority of its controllers up before any is ready.
  const servers = managedServers(settings, names);
  // A cluster starts no node while any port of a node to start is taken: a node whose peer's address is
  // held by a foreign server would try to gossip with it.
  if (settings.nodes > 1) {
    const toStart = servers.filter((server) => runningPid(server) === undefined);
    const free = await Promise.all(toStart.map(portsFree));
    if (!free.every(Boolean)) {
      console.log('stack up FAILED (see above)');
      return false;
    }
  }
  const results = await Promise.all(
    servers.map((server) =>
      upOne(settings, server).catch((error: unknown) => {
        say(server.name, `FAILED: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      }),
    ),
  );
  const ok = results.every(Boolean);
  if (ok && settings.nodes > 1) {
    const firstKafka = servers.find((server) => server.kind === 'kafka');
    if (firstKafka !== undefined) await warmUp(firstKafka);
  }
  console.log(ok ? `stack up in ${formatDuration(Date.now() - started)}` : 'stack up FAILED (see above)');
  return ok;
}

async function downOne(server: ManagedServer): Promise<boolean> {
  const pid = readPidFile(server.paths.pidFile);
  if (pid === undefined) {
    say(server.name, 'not running (no pid file)');
    return true;
  }
  if (!isAlive(pid)) {
    removePidFile(server.paths.pidFile);
    say(server.name, `not running (removed stale pid file for pid ${pid})`);
    return true;
  }
  if (!isOurProcess(pid, server.paths.dir)) {
    removePidFile(server.paths.pidFile);
    say(server.name, `pid ${pid} from the pid file is not our java process; left it alone and removed the pid file`);
    return true;
  }
  const started = Date.now();
  const how = await stopProcess(pid, server.stopGraceMs);
  removePidFile(server.paths.pidFile);
  say(
    server.name,
    `stopped pid ${pid} (${how === 'killed' ? 'SIGKILL after SIGTERM timed out' : 'SIGTERM'}) in ${formatDuration(Date.now() - started)}`,
  );
  return true;
}

export async function down(settings: StackSettings, names: readonly string[]): Promise<boolean> {
  const results = await Promise.all(
    managedServers(settings, names).map((server) =>
      downOne(server).catch((error: unknown) => {
        say(server.name, `FAILED to stop: ${error instanceof Error ? error.message : String(error)}`);
        return false;
      }),
    ),
  );
  return results.every(Boolean);
}

/** Prints each server's state; true when every listed server is ready. */
export async function status(settings: StackSettings, names: readonly string[]): Promise<boolean> {
  const servers = managedServers(settings, names);
  const lines = await Promise.all(
    servers.map(async (server) => {
      const version = loadVersions()[server.kind].version;
      const pid = runningPid(server);
      const ports = server.ports.map((p) => `${p.label} ${p.host ?? server.host}:${p.port}`).join(', ');
      if (pid === undefined) return { ready: false, text: `stopped    ${server.kind} ${version}; ${ports}` };
      const probe = await probeOnce(server);
      return probe.ok
        ? { ready: true, text: `ready      ${server.kind} ${version}; pid ${pid}; ${ports}; ${probe.detail}` }
        : {
            ready: false,
            text: `running    ${server.kind} ${version}; pid ${pid}; ${ports}; not ready: ${probe.error}`,
          };
    }),
  );
  for (const [i, server] of servers.entries()) say(server.name, lines[i]?.text ?? '');
  return lines.every((line) => line.ready);
}

/** Stops the servers and deletes their runtime state (config, data, logs); keeps the artifact cache. */
export async function reset(settings: StackSettings, names: readonly string[]): Promise<boolean> {
  const stopped = await down(settings, names);
  if (!stopped) return false;
  const servers = managedServers(settings, names);
  for (const server of servers) {
    rmSync(server.paths.dir, { recursive: true, force: true });
    say(server.name, `removed ${server.paths.dir}`);
  }
  // A cluster's nodes share one cluster id or name: forget it once all of them are gone.
  for (const [kind, file] of [
    ['kafka', 'kafka-cluster-id'],
    ['cassandra', 'cassandra-cluster-name'],
  ] as const) {
    const nodes = allServers(settings).filter((server) => server.kind === kind);
    if (settings.nodes > 1 && nodes.every((node) => servers.some((server) => server.name === node.name))) {
      rmSync(path.join(settings.stateDir, file), { force: true });
    }
  }
  return true;
}
