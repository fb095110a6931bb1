import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { apiLatency } from './api-latency.js';
import { apiScale } from './api-scale.js';
import { coreThroughput } from './core-throughput.js';
import { formatProfile, type ProfileSummary } from './cpu-profile.js';
import { e2eThroughput } from './e2e-throughput.js';
import { freshness } from './freshness.js';
import { longRun } from './long-run.js';
import { memory } from './memory.js';
import {
  BUILT_CLI,
  type CliKind,
  cleanUp,
  message,
  PROCESSOR_NODE_OPTIONS,
  REPO_ROOT,
  stackProblem,
} from './real-stack.js';
import { type Comparison, compare, type Summary } from './stats.js';

const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['core', 'api', 'api-scale', 'memory', 'e2e', 'freshness', 'long'] as const;
type Name = (typeof ALL)[number];
/** The benchmarks that need the local Kafka and Cassandra (`pnpm stack:up`). */
const NEEDS_STACK: readonly Name[] = ['api-scale', 'e2e', 'freshness', 'long'];
/** The benchmarks that run `rsvp` children (the built CLI by default: `--cli`). */
const RUNS_CLI: readonly Name[] = ['api-scale', 'e2e', 'freshness', 'long'];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    soak: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    messages: { type: 'string' },
    processors: { type: 'string', default: '1,2' },
    /** Venue counts of the simulator for e2e and freshness (issue 13: 2,000 against 100,000). */
    venues: { type: 'string', default: '2000,100000' },
    /** `built`: `node packages/cli/dist/main.js` (built first when missing or stale); `source`: tsx. */
    cli: { type: 'string', default: 'built' },
    /**
     * Node options of the processors of e2e and long (space-separated; '' for none): by default the heap
     * setting the README gives for processors (`NODE_OPTIONS` in a deployment).
     */
    'processor-node-options': { type: 'string', default: PROCESSOR_NODE_OPTIONS },
    /** api-scale: venue counts, and the fill budget (seconds, all stages together). */
    'api-venues': { type: 'string' },
    'api-fill-seconds': { type: 'string', default: '180' },
    /** api-scale: small commits a second through the CountStore port while rsvp serve is under load. */
    'api-writes': { type: 'string', default: '5' },
    /** More options for the `rsvp serve` of api-scale (space-separated), e.g. a flag that turns its cache off. */
    'serve-args': { type: 'string', default: '' },
    /** freshness: `serve` (rsvp serve, default settings) and/or queryCacheMs values of createApp phases. */
    'fresh-apis': { type: 'string', default: 'serve' },
    /** The opt-in long run (issue 13), also `--only long`. */
    long: { type: 'boolean', default: false },
    'long-messages': { type: 'string' },
    'long-venues': { type: 'string', default: '100000' },
    'partition-model-bytes': { type: 'string', default: process.env.RSVP_BENCH_PARTITION_MODEL_BYTES ?? '' },
    out: { type: 'string', default: join(BENCH_DIR, 'results', 'latest.json') },
  },
});
const explicit = values.only !== undefined;
let selected = (values.only?.split(',') ?? ALL.filter((name) => name !== 'long' || values.long)) as Name[];
if (values.long && !selected.includes('long')) selected.push('long');
for (const name of selected)
  if (!ALL.includes(name)) throw new Error(`--only: unknown benchmark "${name}" (${ALL.join(', ')})`);
const quick = values.quick; // smaller runs, to check that everything works: not for figures
const log = (line: string) => process.stderr.write(`${line}\n`);
const numbers = (list: string, flag: string) =>
  list.split(',').map((item) => {
    const n = Number(item.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: "${item}" is not a positive integer`);
    return n;
  });
if (values.cli !== 'built' && values.cli !== 'source') throw new Error('--cli: built or source');
let cli = values.cli as CliKind;
const processorNodeArgs = values['processor-node-options'].split(' ').filter((arg) => arg !== '');
const venueCounts = numbers(values.venues, '--venues');

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

if (cli === 'built' && selected.some((name) => RUNS_CLI.includes(name))) {
  // `pnpm build` is `tsc -b`: incremental (a fraction of a second when nothing changed), and what
  // `node packages/cli/dist/main.js` needs; run every time, so that the children never run stale code.
  log('building the CLI (tsc -b, as `pnpm build`)…');
  const built = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (built.status !== 0 || !existsSync(BUILT_CLI)) {
    log('the build FAILED: the children run from the sources through tsx instead (--cli source)');
    cli = 'source';
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
  if (selected.includes('api-scale')) {
    const apiVenues = numbers(
      values['api-venues'] ?? (quick ? '2000,10000,30000' : '10000,100000,1000000'),
      '--api-venues',
    );
    log(
      `api-scale: GET /api/data?limit=100 of rsvp serve (answer cache off when it has an option for it), at ${apiVenues.join(', ')} venues…`,
    );
    results['api-scale'] = await apiScale(
      {
        venueCounts: apiVenues,
        durationSeconds: quick ? 1 : 5,
        connections: 4,
        repetitions: quick ? 1 : 3,
        fillBudgetSeconds: Number(values['api-fill-seconds']),
        cli,
        serveArgs: values['serve-args'].split(' ').filter((arg) => arg !== ''),
        writesPerSecond: Number(values['api-writes']),
      },
      log,
    );
  }
  if (selected.includes('e2e')) {
    log(`e2e: Kafka → rsvp process → Cassandra against a bare kafkajs consumer, at ${venueCounts.join(', ')} venues…`);
    const e2e: Comparison[] = [];
    const processorCounts = numbers(values.processors, '--processors');
    for (const venues of venueCounts) {
      e2e.push(
        ...(await e2eThroughput(
          {
            messages: values.messages !== undefined ? Number(values.messages) : quick ? 50_000 : 1_000_000,
            partitions: 6,
            processorCounts,
            repetitions: 1,
            drainTimeoutMs: quick ? 60_000 : 200_000,
            verify: true,
            venues,
            cli,
            processorNodeArgs,
            ...(values.profile && venues === venueCounts[0] && { profileDir: join(tmpdir(), 'rsvp-bench-profiles') }),
          },
          log,
        )),
      );
    }
    e2e.push(...scaleRatios(e2e, venueCounts, processorCounts));
    results.e2e = e2e;
    const profile = e2e.find((c) => c.extra?.profile)?.extra?.profile as ProfileSummary | undefined;
    if (profile) log(formatProfile(profile));
  }
  if (selected.includes('freshness')) {
    const apis = values['fresh-apis'].split(',').map((api) => (api === 'serve' ? ('serve' as const) : Number(api)));
    log(`freshness: produce → /api/data at 5,000 RSVP/s, at ${venueCounts.join(', ')} venues…`);
    const fresh: Comparison[] = [];
    for (const venues of venueCounts) {
      fresh.push(
        ...(await freshness(
          {
            rate: 5_000,
            phaseSeconds: quick ? 5 : 20,
            probeIntervalMs: 100,
            pollIntervalMs: 10,
            apis,
            venues,
            prefill: quick ? Math.min(venues, 20_000) : Math.min(3 * venues, 300_000),
            cli,
          },
          log,
        )),
      );
    }
    results.freshness = fresh;
  }
  if (selected.includes('long')) {
    const messages = Number(values['long-messages'] ?? (quick ? 300_000 : 20_000_000));
    const model = values['partition-model-bytes'] === '' ? undefined : Number(values['partition-model-bytes']);
    log(`long: ${messages.toLocaleString('en')} RSVPs through Kafka → rsvp process → Cassandra…`);
    results.long = await longRun(
      {
        messages,
        venues: Number(values['long-venues']),
        partitions: 6,
        cli,
        processorNodeArgs,
        drainTimeoutMs: Math.max(600_000, (messages / 5_000) * 1000),
        rssSampleMs: quick ? 2_000 : 10_000,
        ...(model !== undefined && Number.isFinite(model) && { partitionModelBytes: model }),
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
process.stdout.write(
  `${table(report.machine, report.date, results)}\n${scaleTable(results)}\nwritten to ${values.out}\n`,
);
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
      const overTransit = extra.overTransitTarget as { ms: number; p99OverTransitMs: number; met: boolean } | undefined;
      const flat = extra.flat as { growth: number; maxGrowth: number; met: boolean } | undefined;
      const model = extra.model as { met: boolean } | undefined;
      const targets = [
        c.target && `ratio ≥ ${c.target.ratio} ${c.target.met ? 'met' : 'MISSED'}`,
        p99 &&
          `p99 ${fmt(p99.median)} ms (${fmt(p99.min)}–${fmt(p99.max)}) ≤ ${p99Target?.ms ?? 20} ${p99.median <= (p99Target?.ms ?? 20) ? 'met' : 'MISSED'}`,
        fresh &&
          p99Target &&
          `p99 ≤ ${p99Target.ms} ms ${p99Target.met ? 'met' : 'MISSED'} (p99 ÷ target ${fmt(extra.ratioToTarget as number)})`,
        absolute && `≤ ${absolute.mb} MB ${absolute.met ? 'met' : 'MISSED'}`,
        overTransit &&
          `p99 − transit p99 = ${fmt(overTransit.p99OverTransitMs)} ms ≤ ${overTransit.ms} ${overTransit.met ? 'met' : 'MISSED'}`,
        flat && `RSS growth × ${fmt(flat.growth)} ≤ ${flat.maxGrowth} ${flat.met ? 'met (flat)' : 'MISSED (growing)'}`,
        model && `≤ model ${model.met ? 'met' : 'MISSED'}`,
        extra.filledAll === false && `only ${extra.venuesFilled} of ${extra.venues} venues filled in time`,
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

/** Issue 13: RSVP/s at each larger venue count against the smallest, per processor count (target: no lower). */
function scaleRatios(
  e2e: readonly Comparison[],
  venues: readonly number[],
  processors: readonly number[],
): Comparison[] {
  const [base, ...larger] = venues;
  const out: Comparison[] = [];
  for (const more of larger) {
    for (const n of processors) {
      const find = (v: number) => e2e.find((c) => c.extra?.venues === v && c.extra?.processors === n);
      const low = find(base as number);
      const high = find(more);
      if (!low || !high) continue;
      out.push(
        compare(
          `e2e RSVP/s at ${more.toLocaleString('en')} venues against ${(base as number).toLocaleString('en')}, ${n} processor${n === 1 ? '' : 's'}`,
          'RSVP/s',
          high.subject.samples,
          { name: `the same at ${(base as number).toLocaleString('en')} venues`, samples: low.subject.samples },
          1,
          { venues: [base, more], processors: n },
        ),
      );
    }
  }
  return out;
}

/** The per-RSVP costs of the e2e runs (issue 13): CPU from /proc per process group, the processors' peak RSS. */
function scaleTable(all: Record<string, Comparison[]>): string {
  const rows = (all.e2e ?? []).filter((c) => c.extra?.cpuMicrosPerRsvp !== undefined);
  if (rows.length === 0) return '';
  const lines = [
    '',
    'e2e cost per RSVP (CPU seconds during the drain ÷ RSVPs drained, /proc utime + stime; target: processors + Cassandra ≤ 45 µs) and processor peak RSS (VmHWM; target ≤ 256 MB at 100,000 venues):',
    '',
    '| venues (named) | processors | RSVP/s | processors µs | Cassandra µs | Kafka µs | processors + Cassandra µs | processor peak RSS | cli | node options |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const c of rows) {
    const x = c.extra as Record<string, unknown>;
    const us = x.cpuMicrosPerRsvp as Record<string, number>;
    const both = (us.measured ?? Number.NaN) + (us.cassandra ?? Number.NaN);
    const peak = x.processorPeakMb as number;
    lines.push(
      `| ${(x.venues as number).toLocaleString('en')} (${(x.venuesNamed as number).toLocaleString('en')}) | ${x.processors} | ` +
        `${Math.round(c.subject.median).toLocaleString('en')} | ${us.measured} | ${us.cassandra} | ${us.kafka} | ` +
        `${Math.round(both * 10) / 10} ${both <= 45 ? 'met' : 'MISSED'} | ${peak} MB${(x.venues as number) >= 100_000 ? (peak <= 256 ? ' met' : ' MISSED') : ''} | ${x.cli} | ${(x.processorNodeArgs as string[] | undefined)?.join(' ') || 'none'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
