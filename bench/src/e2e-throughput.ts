import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCassandraCountStore } from '@rsvp/adapter-cassandra';
import {
  createKafka,
  DEFAULT_MAX_BYTES_PER_PARTITION,
  ensureTopics,
  KafkaDeadLetterSink,
  KafkaEventSource,
} from '@rsvp/adapter-kafka';
import {
  addTallies,
  type CountStore,
  DEFAULT_PIPELINE_SETTINGS,
  type DeadLetterSink,
  emptyTallies,
  Pipeline,
  RsvpSimulator,
  type Tallies,
  type VenueRow,
} from '@rsvp/core';
import { countingOracle, dropKeyspaces, stackArgs, waitFor } from '@rsvp/testkit/harness';
import type { Admin } from 'kafkajs';
import { type ProfileSummary, summarizeProfile } from './cpu-profile.js';
import {
  benchKafka,
  brokers,
  type Child,
  type CliKind,
  committedTotal,
  connectedProducer,
  contactPoints,
  coresUsed,
  cpuPerRecord,
  cpuSample,
  deleteKafkaThings,
  endTotal,
  localDataCenter,
  onCleanup,
  processMemory,
  processSummary,
  produceAll,
  sleep,
  spawnNode,
  spawnRsvp,
  stackPids,
  startServe,
  stopChild,
} from './real-stack.js';
import { type Comparison, compare, quantile } from './stats.js';

export interface E2eOptions {
  /** RSVPs pre-filled into the topic. */
  readonly messages: number;
  readonly partitions: number;
  /** Processors in one consumer group, one measurement each (a fresh group and keyspace every time). */
  readonly processorCounts: readonly number[];
  /** Repetitions of each processor count, each paired with a yardstick run of its own. */
  readonly repetitions: number;
  /** Give up waiting for one drain after this long (the rate is then over what was consumed). */
  readonly drainTimeoutMs: number;
  /** Compare the counts of the last run with the counting oracle over the produced messages. */
  readonly verify: boolean;
  /** Run the first single-processor run under `node --cpu-prof`, writing the profile here. */
  readonly profileDir?: string;
  /** Venues the simulator knows (`rsvp produce --venues`; its default is 2,000). */
  readonly venues: number;
  /** Which `rsvp` the processors run: the built CLI (`pnpm build`) or the sources through tsx. */
  readonly cli: CliKind;
}

const SEED = 2017;
/** Event time advances 1 ms per RSVP (1,000 RSVP/s), starting on a fixed day: the messages are reproducible. */
const T0 = Date.UTC(2017, 2, 19);
const POLL_MS = 100;
const TARGET_RATIO = 0.5;
const YARDSTICK_FLAG = '--e2e-yardstick';
const VENUE = /"venue_id":(\d+)/;
/** How often the measured processes' memory (/proc/<pid>/status) is sampled while they drain. */
const MEMORY_SAMPLE_MS = 1_000;

export interface Drain {
  readonly rate: number;
  readonly complete: boolean;
  /** From starting the children to the first commit seen (process start, connections, group join). */
  readonly startupSeconds: number;
  /** From the first commit seen to the last record committed. */
  readonly drainSeconds: number;
  readonly wallSeconds: number;
  readonly consumed: number;
  /** Cores each process group kept busy while draining (Linux /proc): where the machine's two cores went. */
  readonly cores: Record<string, number>;
  /**
   * CPU seconds (utime + stime, /proc) each process group used while draining (`measured`: all the
   * measured children together; `cassandra`, `kafka`: the stack's servers; `bench`: this process), and
   * the same per RSVP drained, in µs.
   */
  readonly cpuSeconds: Record<string, number>;
  readonly cpuMicrosPerRsvp: Record<string, number>;
  /**
   * Memory of each measured child, sampled every second from /proc/<pid>/status: its largest VmRSS seen
   * and its VmHWM (the kernel's peak resident set: between samples too) at the end of the drain, in MB.
   */
  readonly memoryMb: readonly { readonly name: string; readonly maxRss: number; readonly peak: number }[];
}

/**
 * Polls the group's committed offsets every 100 ms until they reach the topic's end. The rate is over the
 * records committed between the first poll that saw a commit and the poll that saw the end, so that
 * process start-up and the group join (reported apart) do not count, for the subject and the yardstick alike.
 */
async function measureDrain(
  admin: Admin,
  group: string,
  topic: string,
  total: number,
  startedAt: number,
  timeoutMs: number,
  children: readonly Child[],
): Promise<Drain> {
  const pids = stackPids();
  const groups = () => ({
    measured: children.map((child) => child.process.pid ?? 0),
    kafka: pids.kafka ? [pids.kafka] : [],
    cassandra: pids.cassandra ? [pids.cassandra] : [],
    bench: [process.pid],
  });
  let first: { at: number; value: number } | undefined;
  let cpuFrom = cpuSample(groups());
  const memory = children.map((child) => ({ name: child.name, maxRss: 0, peak: 0 }));
  let memoryAt = 0;
  const sampleMemory = () => {
    memoryAt = performance.now();
    children.forEach((child, i) => {
      const now = child.process.pid ? processMemory(child.process.pid) : undefined;
      const entry = memory[i];
      if (now && entry) {
        entry.maxRss = Math.max(entry.maxRss, Math.round(now.rss / 2 ** 20));
        entry.peak = Math.max(entry.peak, Math.round(now.peak / 2 ** 20));
      }
    });
  };
  for (;;) {
    const value = await committedTotal(admin, group, topic);
    const at = performance.now();
    if (value > 0 && first === undefined) {
      first = { at, value };
      cpuFrom = cpuSample(groups());
    }
    if (at - memoryAt >= MEMORY_SAMPLE_MS) sampleMemory();
    const timedOut = at - startedAt > timeoutMs;
    if (value >= total || timedOut) {
      const from = first && first.at < at ? first : { at: startedAt, value: 0 };
      const cpuTo = cpuSample(groups());
      sampleMemory();
      const cpu = cpuPerRecord(cpuFrom, cpuTo, value - from.value);
      return {
        rate: (value - from.value) / ((at - from.at) / 1000),
        complete: value >= total,
        startupSeconds: ((first?.at ?? at) - startedAt) / 1000,
        drainSeconds: (at - from.at) / 1000,
        wallSeconds: (at - startedAt) / 1000,
        consumed: value,
        cores: coresUsed(cpuFrom, cpuTo),
        cpuSeconds: cpu.seconds,
        cpuMicrosPerRsvp: cpu.microsPerRecord,
        memoryMb: memory,
      };
    }
    const dead = children.find((child) => child.process.exitCode !== null || child.process.signalCode !== null);
    if (dead) {
      throw new Error(`${dead.name} exited (${dead.process.exitCode ?? dead.process.signalCode}):\n${dead.stderr()}`);
    }
    await sleep(POLL_MS);
  }
}

/** The simulator's messages (`venues` venues with Zipf popularity), dated 1 ms apart. */
function* simulated(count: number, venues: number): Generator<string> {
  const simulator = new RsvpSimulator({ seed: SEED, venueCount: venues });
  for (let i = 0; i < count; i++) yield simulator.next(T0 + i);
}

/**
 * Fills the topic as `rsvp produce` would (keyed by rsvp_id, murmur2 partitioner), but in big requests
 * with a few in flight; returns the oracle's all-time rows when asked to verify.
 */
async function fill(
  topic: string,
  options: E2eOptions,
  log: (line: string) => void,
): Promise<{ seconds: number; bytes: number; venuesNamed: number; oracle?: VenueRow[] }> {
  const started = performance.now();
  const kept: string[] = [];
  const venuesNamed = new Set<string>();
  const bytes = await produceAll(topic, 'bench-e2e-fill', simulated(options.messages, options.venues), (value) => {
    if (options.verify) kept.push(value);
    const venue = VENUE.exec(value)?.[1];
    if (venue !== undefined) venuesNamed.add(venue);
  });
  const seconds = (performance.now() - started) / 1000;
  log(
    `e2e: ${options.messages.toLocaleString('en')} RSVPs naming ${venuesNamed.size.toLocaleString('en')} of ` +
      `${options.venues.toLocaleString('en')} venues (${Math.round(bytes / 2 ** 20)} MiB) in ${seconds.toFixed(1)} s`,
  );
  if (!options.verify) return { seconds, bytes, venuesNamed: venuesNamed.size };
  // All-time counts only (what /api/data shows): every message of one RSVP shares a key, hence a partition,
  // so one fold over all of them gives the same counts as the per-partition folds.
  const oracle = countingOracle({
    partitions: new Map([[`${topic}:all`, kept]]),
    settings: { ...DEFAULT_PIPELINE_SETTINGS, windows: [] },
  }).allTime;
  kept.length = 0;
  return { seconds, bytes, venuesNamed: venuesNamed.size, oracle };
}

/** The yardstick: a bare kafkajs consumer in a child process, timed by the same poller. */
async function yardstickRun(admin: Admin, topic: string, total: number, options: E2eOptions, id: string) {
  const group = `bench_e2e_${id}_bare_${randomBytes(3).toString('hex')}`;
  onCleanup(`delete group ${group}`, () => deleteKafkaThings(benchKafka('bench-e2e-cleanup'), [], [group]));
  const file = fileURLToPath(import.meta.url);
  const startedAt = performance.now();
  const child = spawnNode('bare kafkajs consumer', [
    ...process.execArgv,
    file,
    YARDSTICK_FLAG,
    JSON.stringify({ brokers, topic, group, total }),
  ]);
  try {
    return await measureDrain(admin, group, topic, total, startedAt, options.drainTimeoutMs, [child]);
  } finally {
    await stopChild(child, 'SIGTERM', 10_000);
  }
}

interface SubjectRun extends Drain {
  readonly processors: number;
  readonly tallies: Tallies;
  readonly exitCodes: (number | null)[];
  readonly profile?: ProfileSummary;
  readonly verified?: Verification;
}

interface Verification {
  readonly exact: boolean;
  readonly venues: number;
  readonly storeTotal: number;
  readonly oracleTotal: number;
  readonly mismatches: readonly string[];
}

async function processorRun(
  admin: Admin,
  topic: string,
  total: number,
  processors: number,
  options: E2eOptions,
  id: string,
  run: string,
  profile: boolean,
  oracle: VenueRow[] | undefined,
): Promise<SubjectRun> {
  const group = `bench_e2e_${id}_${run}`;
  const keyspace = `bench_e2e_${id}_${run}`;
  onCleanup(`drop keyspace ${keyspace}`, () => dropKeyspaces([keyspace]));
  onCleanup(`delete group ${group}`, () => deleteKafkaThings(benchKafka('bench-e2e-cleanup'), [], [group]));
  // The keyspace exists before the processors start, so that they do not race to create it.
  const prepared = await createCassandraCountStore({ contactPoints, localDataCenter, keyspace, queryCacheMs: 0 });
  await prepared.close();
  const profileDir = profile && options.profileDir ? join(options.profileDir, `processor-${id}`) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const args = ['process', ...stackArgs(topic, group, keyspace), '--log-level', 'warn'];
  const startedAt = performance.now();
  const children = Array.from({ length: processors }, (_, i) =>
    spawnRsvp(
      `processor ${i + 1}/${processors}`,
      args,
      options.cli,
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    ),
  );
  let drain: Drain;
  try {
    drain = await measureDrain(admin, group, topic, total, startedAt, options.drainTimeoutMs, children);
  } catch (error) {
    await Promise.all(children.map((child) => stopChild(child, 'SIGKILL')));
    throw error;
  }
  const exits = await Promise.all(children.map((child) => stopChild(child, 'SIGTERM', 30_000)));
  const tallies = emptyTallies();
  for (const child of children) {
    const summary = processSummary(child.stdout());
    if (summary) addTallies(tallies, summary.tallies as unknown as Tallies);
  }
  let verified: Verification | undefined;
  if (oracle) verified = await verify(keyspace, oracle, options.cli);
  const summary =
    profileDir && readdirSync(profileDir).length > 0
      ? summarizeProfile(join(profileDir, readdirSync(profileDir)[0] as string))
      : undefined;
  await dropKeyspaces([keyspace]);
  return {
    ...drain,
    processors,
    tallies,
    exitCodes: exits.map((exit) => exit.code),
    ...(summary && { profile: summary }),
    ...(verified && { verified }),
  };
}

/**
 * The all-time counts as `rsvp serve` answers them (`GET /api/data`, every venue, in the original's shape:
 * no venue id) against the oracle's rows in the same shape and order: through the API, not the store's
 * query side, so that the check holds whatever read model the server has.
 */
async function verify(keyspace: string, oracle: VenueRow[], cli: CliKind): Promise<Verification> {
  const serve = await startServe('rsvp serve (count check)', keyspace, cli);
  try {
    const response = await fetch(`${serve.url}/api/data`, { signal: AbortSignal.timeout(120_000) });
    if (!response.ok) throw new Error(`/api/data answered ${response.status}`);
    type ApiRow = { count: number; group_city: string; lat: string; lon: string; venue_name: string };
    const rows = (await response.json()) as ApiRow[];
    const key = (r: ApiRow) => JSON.stringify([r.venue_name, r.group_city, r.lat, r.lon, r.count]);
    const expected = oracle.map((r) => ({
      count: r.count,
      group_city: r.groupCity,
      lat: r.lat,
      lon: r.lon,
      venue_name: r.venueName,
    }));
    const mismatches: string[] = [];
    for (let i = 0; i < Math.max(rows.length, expected.length) && mismatches.length < 5; i++) {
      const a = rows[i];
      const b = expected[i];
      if (!a || !b || key(a) !== key(b)) mismatches.push(`#${i}: rsvp serve ${a && key(a)} oracle ${b && key(b)}`);
    }
    const sum = (list: readonly { count: number }[]) => list.reduce((n, r) => n + r.count, 0);
    return {
      exact: mismatches.length === 0,
      venues: rows.length,
      storeTotal: sum(rows),
      oracleTotal: sum(oracle),
      mismatches,
    };
  } finally {
    await stopChild(serve.child, 'SIGTERM', 15_000);
  }
}

/** Where one processor's time goes, batch by batch: an instrumented copy of the CLI's wiring, in this process. */
export interface Breakdown {
  readonly records: number;
  readonly seconds: number;
  readonly rate: number;
  readonly batches: number;
  readonly recordsPerBatch: number;
  /** `Pipeline.handleBatch`, whole: load (first batch), parse and aggregate, dead letters, store commit. */
  readonly batchMs: Spread;
  /** `CassandraCountStore.commit`: one conditional (LWT) batch per pipeline batch. */
  readonly storeCommitMs: Spread;
  readonly statementsPerCommit: Spread & { readonly rsvps: number; readonly venues: number; readonly windows: number };
  readonly deadLetterWrites: { readonly count: number; readonly ms: Spread };
  /** handleBatch minus the store and the dead letters: parsing and aggregating (and the first load). */
  readonly pipelineMs: Spread;
  /** Sum of handleBatch time over wall time: how many batches were in flight on average (at most 3). */
  readonly batchesInFlight: number;
  readonly cores: Record<string, number>;
  readonly tallies: Tallies;
}

interface Spread {
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
}

function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { mean: 0, p50: 0, p99: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    mean: round(values.reduce((a, b) => a + b, 0) / values.length),
    p50: round(quantile(sorted, 0.5)),
    p99: round(quantile(sorted, 0.99)),
  };
}

async function breakdownRun(topic: string, total: number, id: string, limit: number): Promise<Breakdown> {
  const group = `bench_e2e_${id}_diag`;
  const keyspace = `bench_e2e_${id}_diag`;
  onCleanup(`drop keyspace ${keyspace}`, () => dropKeyspaces([keyspace]));
  onCleanup(`delete group ${group}`, () => deleteKafkaThings(benchKafka('bench-e2e-cleanup'), [], [group]));
  const store = await createCassandraCountStore({ contactPoints, localDataCenter, keyspace });
  const kafka = createKafka({ brokers, clientId: 'bench-e2e-diag' });
  const producer = await connectedProducer(kafka);
  const commits: { ms: number; rsvps: number; venues: number; windows: number }[] = [];
  const letters: number[] = [];
  const batches: { ms: number; storeMs: number; records: number }[] = [];
  let lettersMs = 0;
  const timedStore: CountStore = {
    load: (partition, options) => store.load(partition, options),
    loadRsvpBuckets: (partition, buckets) => store.loadRsvpBuckets(partition, buckets),
    commit: async (commit) => {
      const at = performance.now();
      await store.commit(commit);
      commits.push({
        ms: performance.now() - at,
        rsvps: commit.rsvps.length,
        venues: commit.venues.length,
        windows: commit.windows.length,
      });
    },
  };
  const sink = new KafkaDeadLetterSink(producer, `${topic}.dlq`);
  const timedSink: DeadLetterSink = {
    write: async (batch) => {
      const at = performance.now();
      await sink.write(batch);
      lettersMs = performance.now() - at;
      letters.push(lettersMs);
    },
  };
  const clock = { now: () => Date.now(), sleep: (ms: number) => sleep(ms) };
  const pipeline = new Pipeline(
    {
      store: timedStore,
      deadLetters: timedSink,
      clock,
      onBatchStored: (report) => {
        batches.push({ ms: report.durationMs, storeMs: report.storeMs, records: report.tallies.received });
      },
    },
    DEFAULT_PIPELINE_SETTINGS,
  );
  const source = new KafkaEventSource(kafka, { topic, groupId: group });
  const admin = kafka.admin();
  await admin.connect();
  const pids = stackPids();
  const groups = () => ({
    measured: [process.pid],
    kafka: pids.kafka ? [pids.kafka] : [],
    cassandra: pids.cassandra ? [pids.cassandra] : [],
  });
  const running = source.run(pipeline);
  let from = { at: performance.now(), value: 0, cpu: cpuSample(groups()) };
  let to = from;
  try {
    const target = Math.min(total, limit);
    await waitFor(
      `${target} records through the instrumented pipeline`,
      async () => {
        const value = await committedTotal(admin, group, topic);
        const now = { at: performance.now(), value, cpu: cpuSample(groups()) };
        if (from.value === 0 && value > 0) from = now;
        to = now;
        return value >= target;
      },
      120_000,
      POLL_MS,
    );
  } finally {
    await source.stop();
    await running.catch(() => {});
    await admin.disconnect();
    await producer.disconnect();
    await store.close();
  }
  // Batches and commits after the first observed commit: the group join and first loads left out.
  const seconds = (to.at - from.at) / 1000;
  const records = to.value - from.value;
  const perCommit = commits.map((c) => 1 + c.rsvps + c.venues + c.windows);
  const mean = (values: number[]) => Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10;
  return {
    records,
    seconds,
    rate: records / seconds,
    batches: batches.length,
    recordsPerBatch: mean(batches.map((b) => b.records)),
    batchMs: spread(batches.map((b) => b.ms)),
    storeCommitMs: spread(commits.map((c) => c.ms)),
    statementsPerCommit: {
      ...spread(perCommit),
      rsvps: mean(commits.map((c) => c.rsvps)),
      venues: mean(commits.map((c) => c.venues)),
      windows: mean(commits.map((c) => c.windows)),
    },
    deadLetterWrites: { count: letters.length, ms: spread(letters) },
    pipelineMs: spread(batches.map((b) => b.ms - b.storeMs)),
    batchesInFlight: Math.round((batches.reduce((a, b) => a + b.ms, 0) / 1000 / seconds) * 100) / 100,
    cores: coresUsed(from.cpu, to.cpu),
    tallies: pipeline.tallies(),
  };
}

export async function e2eThroughput(options: E2eOptions, log: (line: string) => void): Promise<Comparison[]> {
  const id = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const topic = `bench_e2e_${id}`;
  const kafka = benchKafka('bench-e2e');
  onCleanup(`delete topics ${topic}, ${topic}.dlq`, () =>
    deleteKafkaThings(benchKafka('bench-e2e-cleanup'), [topic, `${topic}.dlq`], []),
  );
  await ensureTopics(
    kafka,
    [topic, `${topic}.dlq`].map((name) => ({ topic: name, partitions: options.partitions, replicationFactor: 1 })),
  );
  const filled = await fill(topic, options, log);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const total = await endTotal(admin, topic);
    if (total !== options.messages) throw new Error(`the topic holds ${total} records, not ${options.messages}`);
    const results: Comparison[] = [];
    const lastRun = options.processorCounts.at(-1);
    let profiled = false;
    let breakdown: Breakdown | undefined;
    for (const processors of options.processorCounts) {
      const subjects: SubjectRun[] = [];
      const yardsticks: Drain[] = [];
      for (let r = 0; r < options.repetitions; r++) {
        const bare = await yardstickRun(admin, topic, total, options, id);
        log(`e2e: bare kafkajs consumer: ${Math.round(bare.rate).toLocaleString('en')} RSVP/s`);
        yardsticks.push(bare);
        const profile: boolean = options.profileDir !== undefined && processors === 1 && !profiled;
        profiled ||= profile;
        const check = options.verify && processors === lastRun && r === options.repetitions - 1;
        const run = await processorRun(
          admin,
          topic,
          total,
          processors,
          options,
          id,
          `p${processors}r${r}`,
          profile,
          check ? filled.oracle : undefined,
        );
        const us = run.cpuMicrosPerRsvp;
        log(
          `e2e: ${options.venues.toLocaleString('en')} venues, ${processors} processor(s): ` +
            `${Math.round(run.rate).toLocaleString('en')} RSVP/s` +
            `${run.complete ? '' : ' (timed out: not drained)'}${run.profile ? ' (under --cpu-prof)' : ''}` +
            `${run.verified ? `; counts ${run.verified.exact ? 'exact' : 'WRONG'} against the oracle` : ''}; ` +
            `CPU per RSVP: processors ${us.measured} µs, Cassandra ${us.cassandra} µs, Kafka ${us.kafka} µs; ` +
            `processor peak RSS (VmHWM) ${Math.max(...run.memoryMb.map((m) => m.peak))} MB`,
        );
        subjects.push(run);
        if (!run.complete) break;
      }
      const pairs = subjects.length;
      if (options.profileDir !== undefined && processors === 1) {
        breakdown = await breakdownRun(topic, total, id, 200_000);
        log(`e2e: instrumented in-process processor: ${JSON.stringify(breakdown)}`);
      }
      results.push(
        compare(
          `Kafka → rsvp process → Cassandra, ${options.venues.toLocaleString('en')} venues, ${processors} processor${processors === 1 ? '' : 's'}`,
          'RSVP/s',
          subjects.map((s) => s.rate),
          {
            name: 'bare kafkajs consumer loop, same topic, eachBatch only resolving offsets',
            samples: yardsticks.slice(0, pairs).map((y) => y.rate),
          },
          TARGET_RATIO,
          {
            messages: options.messages,
            venues: options.venues,
            venuesNamed: filled.venuesNamed,
            processors,
            cli: options.cli,
            /** µs of CPU per RSVP drained (median over the repetitions), per process group. */
            cpuMicrosPerRsvp: medianPerKey(subjects.map((s) => s.cpuMicrosPerRsvp)),
            /** The largest VmHWM of any processor (the peak resident set), in MB (median over the repetitions). */
            processorPeakMb: median(subjects.map((s) => Math.max(...s.memoryMb.map((m) => m.peak)))),
            partitions: options.partitions,
            repetitions: pairs,
            fillSeconds: filled.seconds,
            topicMiB: Math.round(filled.bytes / 2 ** 20),
            runs: subjects.map(({ profile, ...rest }) => rest),
            yardstickRuns: yardsticks.slice(0, pairs),
            ...(subjects.some((s) => s.profile) && { profile: subjects.find((s) => s.profile)?.profile }),
            ...(breakdown && processors === 1 && { breakdown }),
          },
        ),
      );
    }
    return results;
  } finally {
    await admin.disconnect();
    // Each venue count fills a topic of its own (about 700 MiB per 1,000,000 RSVPs): gone before the next.
    await deleteKafkaThings(benchKafka('bench-e2e-cleanup'), [topic, `${topic}.dlq`], []).catch((error) =>
      log(`e2e: deleting ${topic} failed (retried at the end): ${error instanceof Error ? error.message : error}`),
    );
  }
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

function medianPerKey(records: readonly Record<string, number>[]): Record<string, number> {
  const keys = new Set(records.flatMap((r) => Object.keys(r)));
  return Object.fromEntries([...keys].map((key) => [key, median(records.map((r) => r[key] ?? Number.NaN))]));
}

interface YardstickArgs {
  readonly brokers: string[];
  readonly topic: string;
  readonly group: string;
  readonly total: number;
}

/** The bare loop: same client library and consumer settings as KafkaEventSource, nothing done with the records. */
async function yardstickChild({ brokers: list, topic, group }: YardstickArgs): Promise<void> {
  const kafka = createKafka({ brokers: list, clientId: 'bench-bare-consumer' });
  const consumer = kafka.consumer({
    groupId: group,
    maxBytesPerPartition: DEFAULT_MAX_BYTES_PER_PARTITION,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 30_000 },
  });
  const stop = async () => {
    await consumer.disconnect().catch(() => {});
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    // Committed at most every 100 ms (so that the poller sees progress), not after every batch.
    autoCommit: true,
    autoCommitInterval: 100,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const last = batch.messages.at(-1);
      if (last) resolveOffset(last.offset);
      await heartbeat();
    },
  });
}

if (process.argv[2] === YARDSTICK_FLAG) {
  await yardstickChild(JSON.parse(process.argv[3] ?? '{}') as YardstickArgs);
}
