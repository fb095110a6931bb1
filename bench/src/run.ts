import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { apiLatency } from './api-latency.js';
import { coreThroughput } from './core-throughput.js';
import { formatProfile, type ProfileSummary } from './cpu-profile.js';
import { e2eThroughput } from './e2e-throughput.js';
import { freshness } from './freshness.js';
import { memory } from './memory.js';
import { cleanUp, message, stackProblem } from './real-stack.js';
import type { Comparison, Summary } from './stats.js';

const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['core', 'api', 'memory', 'e2e', 'freshness'] as const;
type Name = (typeof ALL)[number];
/** The benchmarks that need the local Kafka and Cassandra (`pnpm stack:up`). */
const NEEDS_STACK: readonly Name[] = ['e2e', 'freshness'];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    soak: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    messages: { type: 'string' },
    processors: { type: 'string', default: '1,2,3' },
    out: { type: 'string', default: join(BENCH_DIR, 'results', 'latest.json') },
  },
});
const explicit = values.only !== undefined;
let selected = (values.only?.split(',') ?? [...ALL]) as Name[];
for (const name of selected)
  if (!ALL.includes(name)) throw new Error(`--only: unknown benchmark "${name}" (${ALL.join(', ')})`);
const quick = values.quick; // smaller runs, to check that everything works: not for figures
const log = (line: string) => process.stderr.write(`${line}\n`);

// Interrupted: stop the children and delete the topics and keyspaces made so far.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up…`);
    void cleanUp(log).finally(() => process.exit(130));
  });
}

if (selected.some((name) => NEEDS_STACK.includes(name))) {
  const problem = await stackProblem();
  if (problem !== undefined) {
    const skipped = selected.filter((name) => NEEDS_STACK.includes(name));
    log(
      `${skipped.join(', ')}: SKIPPED, the local stack does not answer (${problem}). ` +
        'Start it with `npx -y pnpm@10 stack:up` and run again.',
    );
    selected = selected.filter((name) => !NEEDS_STACK.includes(name));
    if (explicit) process.exitCode = 1;
  }
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const corpusPath = resolve(BENCH_DIR, '..', 'data', 'meetup-rsvps.ndjson.gz');

const results: Record<string, Comparison[]> = {};
const started = new Date();
if (selected.includes('core')) {
  log('core: throughput of the corpus, interleaved with the yardstick…');
  results.core = await coreThroughput({
    corpusPath,
    minRsvps: quick ? 20_000 : 100_000,
    repetitions: quick ? 2 : 7,
    warmups: 1,
    gc,
  });
}
if (selected.includes('api')) {
  log('api: autocannon against createApp and a bare Express handler…');
  results.api = await apiLatency(
    {
      venues: 10_000,
      durationSeconds: quick ? 1 : 5,
      connections: 4,
      repetitions: quick ? 1 : 3,
      cassandra: {
        contactPoints: (process.env.RSVP_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042').split(','),
        localDataCenter: process.env.RSVP_CASSANDRA_DATACENTER ?? 'datacenter1',
      },
    },
    log,
  );
}
if (selected.includes('memory')) {
  log(values.soak ? 'memory: 10-minute soak…' : 'memory: 100,000 venues through the memory pipeline…');
  const memoryOptions = {
    venues: quick ? 10_000 : 100_000,
    rsvpsPerVenue: 3,
    repetitions: quick ? 1 : 3,
    ...(values.soak && { soakSeconds: quick ? 30 : 600 }),
  };
  results.memory = [
    ...(await memory({ ...memoryOptions, store: 'remote' })),
    ...(await memory({ ...memoryOptions, store: 'memory' })),
  ];
}

try {
  if (selected.includes('e2e')) {
    log('e2e: Kafka → rsvp process → Cassandra against a bare kafkajs consumer…');
    results.e2e = await e2eThroughput(
      {
        messages: values.messages !== undefined ? Number(values.messages) : quick ? 50_000 : 1_000_000,
        partitions: 6,
        processorCounts: values.processors.split(',').map(Number),
        repetitions: 1,
        drainTimeoutMs: quick ? 60_000 : 200_000,
        verify: true,
        ...(values.profile && { profileDir: join(tmpdir(), 'rsvp-bench-profiles') }),
      },
      log,
    );
    const profile = results.e2e.find((c) => c.extra?.profile)?.extra?.profile as ProfileSummary | undefined;
    if (profile) log(formatProfile(profile));
  }
  if (selected.includes('freshness')) {
    log('freshness: produce → /api/data at a steady rate, per query-cache setting…');
    results.freshness = await freshness(
      {
        rate: 5_000,
        phaseSeconds: quick ? 5 : 20,
        probeIntervalMs: 100,
        pollIntervalMs: 10,
        cacheSettings: [500, 100, 0],
      },
      log,
    );
  }
} catch (error) {
  log(`failed: ${message(error)}`);
  process.exitCode = 1;
} finally {
  await cleanUp(log);
}

const previous = existsSync(values.out)
  ? (JSON.parse(readFileSync(values.out, 'utf8')) as { results?: Record<string, Comparison[]>; runs?: object })
  : {};
const runInfo = { date: started.toISOString(), seconds: Math.round((Date.now() - started.getTime()) / 1000), quick };
const report = {
  date: started.toISOString(),
  seconds: Math.round((Date.now() - started.getTime()) / 1000),
  machine: {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  },
  quick,
  /** When each group of results was measured: the file keeps the groups this run did not measure. */
  runs: {
    ...previous.runs,
    ...Object.fromEntries(Object.keys(results).map((name) => [name, runInfo])),
  } as Record<string, typeof runInfo>,
  results: { ...previous.results, ...results },
};
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${table(report.machine, report.date, results)}\n\nwritten to ${values.out}\n`);
// Client libraries may keep sockets or timers around; everything is written.
process.exit();

function table(machine: typeof report.machine, date: string, all: Record<string, Comparison[]>): string {
  const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en') : n.toPrecision(3));
  const spread = (s: Summary) => `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
  const lines = [
    `${date} · ${machine.cores} cores · ${machine.memoryGiB} GiB · Node ${machine.node} · median (min–max)`,
    '',
    '| benchmark | subject | yardstick | ratio | target |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const comparisons of Object.values(all)) {
    for (const c of comparisons) {
      const extra = c.extra ?? {};
      const p99 = extra.p99Ms as Summary | undefined;
      const p99Target = extra.p99Target as { ms: number; met: boolean } | undefined;
      const absolute = extra.absoluteTarget as { mb: number; met: boolean } | undefined;
      type Percentiles = { p50: number; p99: number; max: number };
      const fresh = extra.freshnessMs as Percentiles | undefined;
      const kafkaOnly = extra.yardstickMs as Percentiles | undefined;
      const percentiles = (p: Percentiles) => `p50 ${fmt(p.p50)} · p99 ${fmt(p.p99)} · max ${fmt(p.max)}`;
      const runs = extra.runs as { complete: boolean }[] | undefined;
      const targets = [
        c.target && `ratio ≥ ${c.target.ratio} ${c.target.met ? 'met' : 'MISSED'}`,
        p99 &&
          `p99 ${fmt(p99.median)} ms (${fmt(p99.min)}–${fmt(p99.max)}) ≤ ${p99Target?.ms ?? 20} ${p99.median <= (p99Target?.ms ?? 20) ? 'met' : 'MISSED'}`,
        fresh &&
          p99Target &&
          `p99 ≤ ${p99Target.ms} ms ${p99Target.met ? 'met' : 'MISSED'} (p99 ÷ target ${fmt(extra.ratioToTarget as number)})`,
        absolute && `≤ ${absolute.mb} MB ${absolute.met ? 'met' : 'MISSED'}`,
        runs?.some((run) => !run.complete) && 'NOT DRAINED within the time limit',
      ].filter(Boolean);
      const subject = fresh ? percentiles(fresh) : spread(c.subject);
      const yardstick = kafkaOnly ? percentiles(kafkaOnly) : spread(c.yardstick);
      lines.push(
        `| ${c.name} | ${subject} ${c.unit} | ${yardstick} ${c.unit} (${c.yardstick.name}) | ${spread(c.ratio)} | ${targets.join('; ')} |`,
      );
    }
  }
  return lines.join('\n');
}
