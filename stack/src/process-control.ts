/**
 * Detached server processes: start with pid and log files, recognise our own processes,
 * stop them (SIGTERM, then SIGKILL), read log tails, and wait for readiness.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export interface DetachedStart {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** stdout and stderr go here; the previous run's file is kept as `<file>.1`. */
  readonly logFile: string;
  readonly pidFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface StartedProcess {
  readonly pid: number;
  /** Resolves with the exit code/signal if the process ends while this CLI still runs. */
  readonly exited: Promise<string>;
}

export function startDetached(options: DetachedStart): StartedProcess {
  if (existsSync(options.logFile) && statSync(options.logFile).size > 0) {
    renameSync(options.logFile, `${options.logFile}.1`);
  }
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env ?? process.env,
    });
    const exited = new Promise<string>((resolve) => {
      child.once('error', (error) => resolve(`could not start ${options.command}: ${error.message}`));
      child.once('exit', (code, signal) => resolve(signal === null ? `exit code ${code}` : `signal ${signal}`));
    });
    if (child.pid === undefined) {
      throw new Error(`could not start ${options.command} (no pid)`);
    }
    writeFileSync(options.pidFile, `${child.pid}\n`);
    child.unref();
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

export function readPidFile(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

export function removePidFile(pidFile: string): void {
  rmSync(pidFile, { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): readonly string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((part) => part !== '');
  } catch {
    // No procfs (e.g. macOS): ask ps for the whole command line.
    try {
      const line = execFileSync('ps', ['-ww', '-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
      return line.trim() === '' ? undefined : line.trim().split(/\s+/);
    } catch {
      return undefined;
    }
  }
}

/**
 * True if `pid` is alive and is a java process whose command line mentions `marker`
 * (a path under our .stack directory), so a recycled pid is never mistaken for ours.
 */
export function isOurProcess(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false;
  const argv = commandLine(pid);
  if (argv === undefined || argv.length === 0) return false;
  const program = path.basename(argv[0] ?? '');
  return program === 'java' && argv.some((arg) => arg.includes(marker));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntilDead(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(200);
  }
  return !isAlive(pid);
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Returns how it ended. */
export async function stopProcess(pid: number, graceMs: number): Promise<'terminated' | 'killed' | 'gone'> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'gone';
  }
  if (await waitUntilDead(pid, graceMs)) return 'terminated';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'terminated';
  }
  if (await waitUntilDead(pid, 10_000)) return 'killed';
  throw new Error(`process ${pid} survived SIGKILL`);
}

export function tailFile(file: string, lines: number): string {
  if (!existsSync(file)) return `(no log file at ${file})`;
  const text = readFileSync(file, 'utf8');
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all.slice(-lines).join('\n');
}

/** True if something already listens on (or otherwise holds) host:port. */
export function isPortTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.once('listening', () => server.close(() => resolve(false)));
    server.listen({ host, port, exclusive: true });
  });
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** Fails the wait at once when this resolves (e.g. the process exited). */
  readonly abort?: Promise<string>;
}

/** Polls `probe` until it resolves true; returns the last probe error when it gives up. */
export async function waitUntilReady(
  probe: () => Promise<boolean>,
  options: WaitOptions,
): Promise<{ ready: true } | { ready: false; reason: string }> {
  const deadline = Date.now() + options.timeoutMs;
  let aborted: string | undefined;
  void options.abort?.then((why) => {
    aborted = why;
  });
  let lastError = 'no probe succeeded';
  while (Date.now() < deadline) {
    if (aborted !== undefined) return { ready: false, reason: `the process ended (${aborted})` };
    try {
      if (await probe()) return { ready: true };
    } catch (error) {
      lastError = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    }
    if (aborted !== undefined) return { ready: false, reason: `the process ended (${aborted})` };
    await sleep(options.intervalMs);
  }
  return {
    ready: false,
    reason: `not ready after ${Math.round(options.timeoutMs / 1000)} s (last probe error: ${lastError})`,
  };
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
