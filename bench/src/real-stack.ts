import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createKafka } from '@rsvp/adapter-kafka';
import { localStack, repoRoot, spawnCli as spawnRsvpChild, stopChild as stopProcess } from '@rsvp/testkit/harness';
import cassandra from 'cassandra-driver';
import { type Admin, CompressionTypes, type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
// Relative on purpose: @rsvp/stack is not a dependency of the bench (the test kit reads its connection settings).
import { resolveSettings } from '../../stack/src/settings.js';

/** What the end-to-end benchmarks share: the local stack (`pnpm stack:up`), child processes, cleanup. */
export const REPO_ROOT = repoRoot;

const local = localStack();
export const brokers: readonly string[] = local.brokers;
export const contactPoints: readonly string[] = local.contactPoints;
export const localDataCenter = local.localDataCenter;

export function benchKafka(clientId: string): Kafka {
  return createKafka({ brokers, clientId });
}

/** A producer as `rsvp produce` configures one: idempotent, in order, murmur2 partitioner; connected. */
export async function connectedProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Rejects after `ms` with a message naming what took too long. */
export async function within<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Why the stack cannot be used, or undefined when Kafka and Cassandra both answer a round trip. */
export async function stackProblem(timeoutMs = 8_000): Promise<string | undefined> {
  const problems: string[] = [];
  const kafka = createKafka({ brokers, clientId: 'bench-probe' });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await within(
      'Kafka',
      timeoutMs,
      admin.connect().then(() => admin.listTopics()),
    );
  } catch (error) {
    problems.push(`Kafka on ${brokers.join(',')}: ${message(error)}`);
  } finally {
    await admin.disconnect().catch(() => {});
  }
  const client = new cassandra.Client({ contactPoints: [...contactPoints], localDataCenter });
  try {
    await within('Cassandra', timeoutMs, client.execute('SELECT release_version FROM system.local'));
  } catch (error) {
    problems.push(`Cassandra on ${contactPoints.join(',')}: ${message(error).split('\n')[0]}`);
  } finally {
    await client.shutdown().catch(() => {});
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Cleanups to run when a benchmark ends, fails or the run is interrupted; newest first. */
const cleanups: { what: string; run: () => Promise<unknown> }[] = [];
const children = new Set<ChildProcess>();

export function onCleanup(what: string, run: () => Promise<unknown>): void {
  cleanups.push({ what, run });
}

/** Stops every child still running and runs the registered cleanups (each bounded to 30 s). */
export async function cleanUp(log: (line: string) => void): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child, 'SIGTERM', 10_000)));
  while (cleanups.length > 0) {
    const { what, run } = cleanups.pop() as (typeof cleanups)[number];
    await within(what, 30_000, run()).catch((error) => log(`cleanup: ${what} failed: ${message(error)}`));
  }
}

// Whatever happens, no child outlives the run.
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export interface Child {
  readonly process: ChildProcess;
  readonly name: string;
  /** All it printed on stdout so far. */
  stdout(): string;
  /** The last 32 KiB of its stderr (its log). */
  stderr(): string;
  /** Settles with the exit code (or signal) when it ends. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a Node child with the given arguments, in the repository root; it is killed when the run ends. */
export function spawnNode(name: string, args: readonly string[]): Child {
  return track(name, spawn(process.execPath, [...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** Keeps what a child prints, and kills it when the run ends. */
function track(name: string, child: ChildProcess): Child {
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString('utf8')).slice(-32_768);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('error', () => done({ code: -1, signal: null }));
    child.once('exit', (code, signal) => {
      children.delete(child);
      done({ code, signal });
    });
  });
  return { process: child, name, stdout: () => out, stderr: () => err, exited };
}

/** Signals a child and waits for it to exit; SIGKILL after `timeoutMs`: a benchmark never waits unbounded. */
export function stopChild(
  child: ChildProcess | Child,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 15_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return stopProcess('process' in child ? child.process : child, signal, timeoutMs);
}

/** Sum over the topic's partitions of the group's committed offsets (0 where none is committed yet). */
export async function committedTotal(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/** Sum of the topic's end offsets. */
export async function endTotal(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
}

/** Deletes topics and consumer groups (missing ones are fine). */
export async function deleteKafkaThings(kafka: Kafka, topics: readonly string[], groups: readonly string[]) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (groups.length > 0) await admin.deleteGroups([...groups]).catch(() => {});
    const existing = new Set(await admin.listTopics());
    const doomed = topics.filter((t) => existing.has(t));
    if (doomed.length > 0) await admin.deleteTopics({ topics: doomed, timeout: 20_000 });
  } finally {
    await admin.disconnect();
  }
}

/** The JSON summary `rsvp process` prints on stdout when it stops. */
export function processSummary(stdout: string): { tallies: Record<string, unknown> } | undefined {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line) as { tallies: Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/**
 * The pids of the stack's servers: from their pid files in this checkout's `.stack`, else (a stack started
 * from another checkout or worktree) the process listening on the client port (absent when unknown).
 */
export function stackPids(): { kafka?: number; cassandra?: number } {
  const settings = resolveSettings();
  const pid = (name: string, port: number) => {
    try {
      const n = Number(readFileSync(join(settings.stateDir, name, `${name}.pid`), 'utf8').trim());
      if (Number.isInteger(n) && n > 0 && existsSync(`/proc/${n}`)) return n;
    } catch {
      // no pid file here: look the port up
    }
    return listeningPid(port);
  };
  const kafka = pid('kafka', settings.kafka.port);
  const cassandra = pid('cassandra', settings.cassandra.port);
  return { ...(kafka && { kafka }), ...(cassandra && { cassandra }) };
}

/** The pid of the process listening on a TCP port of this machine (Linux /proc; undefined when not found). */
export function listeningPid(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local address, state 0A (LISTEN), inode
      if (fields[3] === '0A' && Number.parseInt(fields[1]?.split(':')[1] ?? '', 16) === port)
        inodes.add(fields[9] ?? '');
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return Number(entry);
      } catch {
        // gone, or not ours to read
      }
    }
  }
  return undefined;
}

/** Resident memory of a process now and at its peak (VmRSS, VmHWM of /proc/<pid>/status), in bytes. */
export function processMemory(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    const rss = kb('VmRSS') * 1024;
    const peak = kb('VmHWM') * 1024;
    return Number.isFinite(rss) ? { rss, peak } : undefined;
  } catch {
    return undefined;
  }
}

/** Which `rsvp` the children run: the sources through tsx (as `pnpm rsvp`), or the built CLI (`pnpm build`). */
export type CliKind = 'source' | 'built';

export { BUILT_CLI } from '@rsvp/testkit/harness';

/** `rsvp <role> …` from the sources (tsx) or the built CLI (`node packages/cli/dist/main.js`). */
/**
 * The processors' heap setting the README's "Processor memory" gives (as `NODE_OPTIONS` in a deployment): it
 * caps V8's old generation, so that the heap grows to a few times the live state rather than to gigabytes.
 */
export const PROCESSOR_NODE_OPTIONS = '--max-old-space-size=384';

export function spawnRsvp(
  name: string,
  args: readonly string[],
  cli: CliKind,
  nodeArgs: readonly string[] = [],
): Child {
  return track(name, spawnRsvpChild(args, { nodeArgs, built: cli === 'built' }));
}

/** The per-process CPU seconds between two samples, per group, and per record in µs. */
export function cpuPerRecord(
  from: CpuSample,
  to: CpuSample,
  records: number,
): {
  seconds: Record<string, number>;
  microsPerRecord: Record<string, number>;
} {
  const seconds: Record<string, number> = {};
  const micros: Record<string, number> = {};
  for (const name of Object.keys(to.groups)) {
    const used = (to.groups[name] ?? 0) - (from.groups[name] ?? 0);
    seconds[name] = Math.round(used * 100) / 100;
    micros[name] = records > 0 ? Math.round((used / records) * 1e6 * 10) / 10 : Number.NaN;
  }
  return { seconds, microsPerRecord: micros };
}

/** CPU seconds (user + system) a process has used, from /proc (Linux; 100 clock ticks a second). */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Busy CPU seconds of the whole machine, all cores, from /proc/stat. */
function machineBusySeconds(): number {
  try {
    const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks.map(Number);
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return 0;
  }
}

export interface CpuSample {
  readonly at: number;
  readonly machine: number;
  readonly groups: Record<string, number>;
}

/** CPU seconds used so far by each group of processes, and by the machine. */
export function cpuSample(groups: Record<string, readonly number[]>): CpuSample {
  const used: Record<string, number> = {};
  for (const [name, pids] of Object.entries(groups)) {
    used[name] = pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  }
  return { at: performance.now(), machine: machineBusySeconds(), groups: used };
}

/**
 * Cores each group kept busy between two samples (1 = one core all the time), the machine's total, and
 * `other`: what the rest of the machine (other users, the OS) used meanwhile.
 */
export function coresUsed(from: CpuSample, to: CpuSample): Record<string, number> {
  const seconds = Math.max(1e-3, (to.at - from.at) / 1000);
  const round = (n: number) => Math.round(n * 100) / 100;
  const cores: Record<string, number> = {};
  let ours = 0;
  for (const name of Object.keys(to.groups)) {
    const used = (to.groups[name] ?? 0) - (from.groups[name] ?? 0);
    ours += used;
    cores[name] = round(used / seconds);
  }
  cores.machine = round((to.machine - from.machine) / seconds);
  cores.other = round(Math.max(0, to.machine - from.machine - ours) / seconds);
  return cores;
}

/**
 * `rsvp serve --store cassandra` over a keyspace on an ephemeral port, with its default settings plus
 * `extraArgs`; resolves with its URL once it listens (from its log line), within 60 s.
 */
export async function startServe(
  name: string,
  keyspace: string,
  cli: CliKind,
  extraArgs: readonly string[] = [],
): Promise<{ child: Child; url: string }> {
  const args = [
    'serve',
    ...['--store', 'cassandra', '--cassandra-contact-points', contactPoints.join(',')],
    ...['--cassandra-datacenter', localDataCenter, '--cassandra-keyspace', keyspace],
    ...['--port', '0', '--log-level', 'info', ...extraArgs],
  ];
  const child = spawnRsvp(name, args, cli);
  const deadline = performance.now() + 60_000;
  for (;;) {
    const url = /"url":"(http:\/\/[^"]+)"/.exec(child.stderr())?.[1];
    if (url) return { child, url };
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`${name} exited (${child.process.exitCode ?? child.process.signalCode}):\n${child.stderr()}`);
    }
    if (performance.now() > deadline) {
      await stopChild(child, 'SIGKILL');
      throw new Error(`${name}: not listening within 60 s:\n${child.stderr()}`);
    }
    await sleep(100);
  }
}

const PRODUCE_BATCH = 5_000; // about 600 KB per partition per request, under the broker's 1 MB batch limit
const PRODUCE_IN_FLIGHT = 3;
const KEY = /"rsvp_id":(\d+)/;

/**
 * Sends messages to a topic as fast as the broker takes them, as `rsvp produce` would: keyed by `rsvp_id`
 * (murmur2), acks all, batches of 5,000 with 3 in flight. `seen` hears each message as it goes (with its
 * index). Returns the bytes sent.
 */
export async function produceAll(
  topic: string,
  clientId: string,
  messages: Iterable<string>,
  seen?: (value: string, index: number) => void,
): Promise<number> {
  const producer = benchKafka(clientId).producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  let bytes = 0;
  try {
    const inFlight = new Set<Promise<unknown>>();
    let failure: unknown;
    let batch: Message[] = [];
    const flush = async () => {
      const send = producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: batch });
      batch = [];
      const tracked: Promise<unknown> = send.then(
        () => inFlight.delete(tracked),
        (error: unknown) => {
          failure = error;
          inFlight.delete(tracked);
        },
      );
      inFlight.add(tracked);
      if (inFlight.size >= PRODUCE_IN_FLIGHT) await Promise.race(inFlight);
      if (failure) throw failure;
    };
    let index = 0;
    for (const value of messages) {
      seen?.(value, index++);
      bytes += value.length;
      batch.push({ key: KEY.exec(value)?.[1] ?? null, value });
      if (batch.length >= PRODUCE_BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    await Promise.all(inFlight);
    if (failure) throw failure;
  } finally {
    await producer.disconnect();
  }
  return bytes;
}
