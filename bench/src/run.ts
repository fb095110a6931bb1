import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { apiLatency } from './api-latency.js';
import { coreThroughput } from './core-throughput.js';
import { memory } from './memory.js';
import type { Comparison, Summary } from './stats.js';

const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALL = ['core', 'api', 'memory'] as const;
type Name = (typeof ALL)[number];

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    soak: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: join(BENCH_DIR, 'results', 'latest.json') },
  },
});
const selected = (values.only?.split(',') ?? [...ALL]) as Name[];
for (const name of selected)
  if (!ALL.includes(name)) throw new Error(`--only: unknown benchmark "${name}" (${ALL.join(', ')})`);
const quick = values.quick; // smaller runs, to check that everything works: not for figures
const log = (line: string) => process.stderr.write(`${line}\n`);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const corpusPath = resolve(
  process.env.RSVP_SHARED_DIR ?? join(BENCH_DIR, '..', '..', 'shared'),
  'data',
  'meetup-rsvps.ndjson',
);

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
  results.memory = await memory({
    venues: quick ? 10_000 : 100_000,
    rsvpsPerVenue: 3,
    repetitions: quick ? 1 : 3,
    ...(values.soak && { soakSeconds: quick ? 30 : 600 }),
  });
}

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
  results,
};
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${table(report.machine, report.date, results)}\n\nwritten to ${values.out}\n`);

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
      const absolute = extra.absoluteTarget as { mb: number; met: boolean } | undefined;
      const targets = [
        c.target && `ratio ≥ ${c.target.ratio} ${c.target.met ? 'met' : 'MISSED'}`,
        p99 &&
          `p99 ${fmt(p99.median)} ms (${fmt(p99.min)}–${fmt(p99.max)}) ≤ 20 ${p99.median <= 20 ? 'met' : 'MISSED'}`,
        absolute && `≤ ${absolute.mb} MB ${absolute.met ? 'met' : 'MISSED'}`,
      ].filter(Boolean);
      lines.push(
        `| ${c.name} | ${spread(c.subject)} ${c.unit} | ${spread(c.yardstick)} ${c.unit} (${c.yardstick.name}) | ${spread(c.ratio)} | ${targets.join('; ')} |`,
      );
    }
  }
  return lines.join('\n');
}
