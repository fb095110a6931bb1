import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createCassandraCountStore } from '@rsvp/adapter-cassandra';
import { ensureTopics } from '@rsvp/adapter-kafka';
import { addTallies, emptyTallies, type Tallies, type VenueRow } from '@rsvp/core';
import { dropKeyspaces, stackArgs } from '@rsvp/testkit/harness';
import type { Admin } from 'kafkajs';
import { type ProfileSummary, summarizeProfile } from './cpu-profile.js';
import { type Breakdown, breakdownRun } from './e2e-breakdown.js';
import { type Drain, measureDrain } from './e2e-drain.js';
import { type FillOptions, fill } from './e2e-fill.js';
import { yardstickRun } from './e2e-yardstick.js';
import {
  benchKafka,
  type CliKind,
  contactPoints,
  deleteKafkaThings,
  endTotal,
  localDataCenter,
  onCleanup,
  processSummary,
  spawnRsvp,
  startServe,
  stopChild,
} from './real-stack.js';
import { type Comparison, compare, quantile } from './stats.js';

/**
 * The end-to-end benchmark: this module runs the processors and checks their counts; the topic's fill
 * (e2e-fill.ts), the bare-consumer yardstick (e2e-yardstick.ts), the poller that times both (e2e-drain.ts) and
 * the instrumented in-process breakdown (e2e-breakdown.ts) are modules of their own.
 */
export interface E2eOptions extends FillOptions {
  readonly partitions: number;
  /** Processors in one consumer group, one measurement each (a fresh group and keyspace every time). */
  readonly processorCounts: readonly number[];
  /** Repetitions of each processor count, each paired with a yardstick run of its own. */
  readonly repetitions: number;
  /** Give up waiting for one drain after this long (the rate is then over what was consumed). */
  readonly drainTimeoutMs: number;
  /** Run the first single-processor run under `node --cpu-prof`, writing the profile here. */
  readonly profileDir?: string;
  /** Which `rsvp` the processors run: the built CLI (`pnpm build`) or the sources through tsx. */
  readonly cli: CliKind;
  /** Node options of the processors (before the script), e.g. the README's heap setting. */
  readonly processorNodeArgs: readonly string[];
}

const TARGET_RATIO = 0.5;

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
    spawnRsvp(`processor ${i + 1}/${processors}`, args, options.cli, [
      ...options.processorNodeArgs,
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ]),
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
        const bare = await yardstickRun(admin, topic, total, options.drainTimeoutMs, id);
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
            processorNodeArgs: options.processorNodeArgs,
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
