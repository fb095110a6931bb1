import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './recorded-data.js';

/** The built `rsvp` command (`pnpm build`). */
export const BUILT_CLI = join(repoRoot, 'packages', 'cli', 'dist', 'main.js');

export interface SpawnCliOptions {
  /** Node's own options, before the script (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** Where its stderr (its log) goes: a pipe, or an open file descriptor. Default: a pipe. */
  readonly stderr?: 'pipe' | number;
  /** The built command instead of the sources through tsx (as `pnpm rsvp` runs them). */
  readonly built?: boolean;
}

/** `rsvp <args>` as a child process in the repository root, its stdout piped. */
export function spawnCli(args: readonly string[], options: SpawnCliOptions = {}): ChildProcess {
  const script = options.built
    ? [BUILT_CLI]
    : ['--import', 'tsx', '--conditions=@rsvp/source', 'packages/cli/src/main.ts'];
  return spawn(process.execPath, [...(options.nodeArgs ?? []), ...script, ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', options.stderr ?? 'pipe'],
  });
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Signals a child and waits for it to exit. With `killAfterMs`, SIGKILL if it has not exited by then;
 * without, it waits as long as the child takes (a test's own timeout bounds it).
 */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  killAfterMs?: number,
): Promise<ChildExit> {
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  const exited = new Promise<ChildExit>((done) => child.once('exit', (code, sig) => done({ code, signal: sig })));
  child.kill(signal);
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}
