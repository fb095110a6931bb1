import { randomBytes } from 'node:crypto';
import { existsSync, statfsSync } from 'node:fs';
import { createCassandraCountStore } from '@rsvp/adapter-cassandra';
import { ensureTopics } from '@rsvp/adapter-kafka';
import { RsvpSimulator } from '@rsvp/core';
import { dropKeyspaces, stackArgs } from '@rsvp/testkit/harness';
import type { Admin } from 'kafkajs';
// Relative on purpose, as in real-stack.ts: @rsvp/stack is not a dependency of the bench.
import { resolveSettings } from '../../stack/src/settings.js';
import { type PartitionReport, partitionSizes } from './nodetool.js';
import {
  benchKafka,
  type CliKind,
  committedTotal,
  contactPoints,
  coresUsed,
  cpuPerRecord,
  cpuSample,
  deleteKafkaThings,
  endTotal,
  localDataCenter,
  message,
  onCleanup,
  processMemory,
  processSummary,
  produceAll,
  REPO_ROOT,
  sleep,
  spawnRsvp,
  stackPids,
  stopChild,
} from './real-stack.js';
import { type Comparison, compare } from './stats.js';

/**
 * Issue 13's long run: ≥ 20,000,000 simulated RSVPs over 100,000 venues through Kafka → one `rsvp process`
 * → Cassandra. The topic is filled first (in requests of 5,000, as the e2e benchmark does), then one
 * processor drains it, so that no producer competes with it for the two cores; the rate of each tenth
 * of the RSVPs comes from the group's committed offsets (polled every second), the processor's RSS is
 * sampled every 10 s, the records already consumed are deleted from the topic after each tenth (to bound
 * Kafka's disk), and at the end the largest partition of the keyspace's tables is read with `nodetool`.
 */
export interface LongOptions {
  readonly messages: number;
  readonly venues: number;
  readonly partitions: number;
  readonly cli: CliKind;
  /** Node options of the processor (before the script), e.g. the README's heap setting. */
  readonly processorNodeArgs: readonly string[];
  /** The drain gives up after this long (the tenths reached are reported). */
  readonly drainTimeoutMs: number;
  readonly rssSampleMs: number;
  /**
   * The sizing model's largest Cassandra partition for this run, in bytes (`--partition-model-bytes` or
   * RSVP_BENCH_PARTITION_MODEL_BYTES): what the README's model predicts; reported against the measured one.
   */
  readonly partitionModelBytes?: number;
}

const SEED = 2017;
const T0 = Date.UTC(2017, 2, 19);
const POLL_MS = 1_000;
/** Issue 13: the last tenth's rate within 0.9 × the first tenth's. */
const TARGET_RATIO = 0.9;
/**
 * RSS counts as flat when, over the samples taken after the first tenth (warm-up), the median of the last
 * third is within 10 % of the median of the first third.
 */
const FLAT_GROWTH = 1.1;
/** Disk estimate per RSVP: the message in Kafka (about 700 B) and what Cassandra may write for it. */
const KAFKA_BYTES_PER_RSVP = 720;
const CASSANDRA_BYTES_PER_RSVP = 400;
const MB = 2 ** 20;

/** Free bytes on the file system that holds the stack's data (Kafka's log, Cassandra's SSTables). */
function freeBytes(): { path: string; free: number } {
  const state = resolveSettings().stateDir;
  const path = existsSync(state) ? state : REPO_ROOT;
  const stats = statfsSync(path);
  return { path, free: stats.bavail * stats.bsize };
}

async function fillTopic(topic: string, options: LongOptions, log: (line: string) => void): Promise<number> {
  const started = performance.now();
  let lastLog = started;
  const simulator = new RsvpSimulator({ seed: SEED, venueCount: options.venues });
  function* messages() {
    for (let i = 0; i < options.messages; i++) yield simulator.next(T0 + i);
  }
  const bytes = await produceAll(topic, 'bench-long-fill', messages(), (_, i) => {
    if (performance.now() - lastLog > 30_000) {
      lastLog = performance.now();
      log(`long: ${(i + 1).toLocaleString('en')} of ${options.messages.toLocaleString('en')} RSVPs in the topic`);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  log(
    `long: ${options.messages.toLocaleString('en')} RSVPs over ${options.venues.toLocaleString('en')} venues ` +
      `(${Math.round(bytes / MB).toLocaleString('en')} MiB) in the topic after ${seconds.toFixed(0)} s`,
  );
  return bytes;
}

/** Deletes the records the group has committed past (they are counted): bounds Kafka's disk during the drain. */
async function deleteConsumed(admin: Admin, topic: string, group: string): Promise<void> {
  const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const partitions = (entry?.partitions ?? [])
    .filter((p) => Number(p.offset) > 0)
    .map((p) => ({ partition: p.partition, offset: p.offset }));
  if (partitions.length > 0) await admin.deleteTopicRecords({ topic, partitions });
}

interface Tenth {
  readonly tenth: number;
  readonly rate: number;
  readonly seconds: number;
  readonly records: number;
}

interface RssSample {
  readonly seconds: number;
  readonly consumed: number;
  readonly rssMb: number;
  readonly peakMb: number;
}

const median = (values: readonly number[]) => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

export async function longRun(options: LongOptions, log: (line: string) => void): Promise<Comparison[]> {
  const disk = freeBytes();
  const needed = options.messages * (KAFKA_BYTES_PER_RSVP + CASSANDRA_BYTES_PER_RSVP);
  log(
    `long: ${Math.round(disk.free / 2 ** 30)} GiB free under ${disk.path}; this run needs about ` +
      `${Math.round(needed / 2 ** 30)} GiB (Kafka ${KAFKA_BYTES_PER_RSVP} B and Cassandra ${CASSANDRA_BYTES_PER_RSVP} B per RSVP)`,
  );
  if (disk.free < needed * 1.5 + 10 * 2 ** 30) {
    throw new Error(
      `long: not enough disk: ${Math.round(disk.free / 2 ** 30)} GiB free, want ${Math.round((needed * 1.5) / 2 ** 30) + 10} GiB ` +
        '(1.5 × the estimate + 10 GiB); use fewer --long-messages',
    );
  }
  const id = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const topic = `bench_long_${id}`;
  const group = `bench_long_${id}`;
  const keyspace = `bench_long_${id}`;
  const kafka = benchKafka('bench-long');
  onCleanup(`drop keyspace ${keyspace}`, () => dropKeyspaces([keyspace]));
  onCleanup(`delete topics ${topic}, ${topic}.dlq and group ${group}`, () =>
    deleteKafkaThings(benchKafka('bench-long-cleanup'), [topic, `${topic}.dlq`], [group]),
  );
  await ensureTopics(
    kafka,
    [topic, `${topic}.dlq`].map((name) => ({ topic: name, partitions: options.partitions, replicationFactor: 1 })),
  );
  const prepared = await createCassandraCountStore({ contactPoints, localDataCenter, keyspace });
  await prepared.close();
  const bytes = await fillTopic(topic, options, log);

  const admin = kafka.admin();
  await admin.connect();
  const total = await endTotal(admin, topic);
  const args = ['process', ...stackArgs(topic, group, keyspace), '--log-level', 'warn'];
  const startedAt = performance.now();
  const processor = spawnRsvp('processor', args, options.cli, options.processorNodeArgs);
  const pid = processor.process.pid ?? 0;
  const pids = stackPids();
  const groups = () => ({
    measured: [pid],
    kafka: pids.kafka ? [pids.kafka] : [],
    cassandra: pids.cassandra ? [pids.cassandra] : [],
    bench: [process.pid],
  });
  const timeline: { at: number; value: number }[] = [];
  const rss: RssSample[] = [];
  let lastRss = 0;
  let complete = false;
  let cpuFrom = cpuSample(groups());
  let cpuTo = cpuFrom;
  let exitCode: number | null = null;
  let summary: ReturnType<typeof processSummary>;
  let partitions: PartitionReport | undefined;
  try {
    let nextTenth = 1;
    for (;;) {
      const value = await committedTotal(admin, group, topic);
      const at = performance.now();
      if (value > 0 && timeline.length === 0) cpuFrom = cpuSample(groups());
      if (value > 0) timeline.push({ at, value });
      if (at - lastRss >= options.rssSampleMs) {
        lastRss = at;
        const m = processMemory(pid);
        if (m) {
          rss.push({
            seconds: Math.round((at - startedAt) / 100) / 10,
            consumed: value,
            rssMb: Math.round(m.rss / MB),
            peakMb: Math.round(m.peak / MB),
          });
        }
      }
      while (nextTenth <= 10 && value >= (total * nextTenth) / 10) {
        log(
          `long: tenth ${nextTenth} counted after ${((at - startedAt) / 1000).toFixed(0)} s` +
            `${rss.length > 0 ? `; processor RSS ${rss.at(-1)?.rssMb} MB` : ''}`,
        );
        nextTenth++;
        await deleteConsumed(admin, topic, group).catch((error) =>
          log(`long: deleting consumed records failed: ${message(error)}`),
        );
      }
      if (value >= total) {
        complete = true;
        break;
      }
      if (at - startedAt > options.drainTimeoutMs) {
        log(
          `long: NOT drained within ${Math.round(options.drainTimeoutMs / 1000)} s (${value.toLocaleString('en')} of ${total.toLocaleString('en')})`,
        );
        break;
      }
      if (processor.process.exitCode !== null || processor.process.signalCode !== null) {
        throw new Error(
          `the processor exited (${processor.process.exitCode ?? processor.process.signalCode}):\n${processor.stderr()}`,
        );
      }
      await sleep(POLL_MS);
    }
    cpuTo = cpuSample(groups());
    const final = processMemory(pid);
    if (final) {
      rss.push({
        seconds: Math.round((performance.now() - startedAt) / 100) / 10,
        consumed: timeline.at(-1)?.value ?? 0,
        rssMb: Math.round(final.rss / MB),
        peakMb: Math.round(final.peak / MB),
      });
    }
  } finally {
    const exit = await stopChild(processor, 'SIGTERM', 30_000);
    exitCode = exit.code;
    summary = processSummary(processor.stdout());
    await admin.disconnect().catch(() => {});
  }
  try {
    partitions = await partitionSizes(keyspace);
    for (const problem of partitions.problems) log(`long: partition sizes: ${problem}`);
  } catch (error) {
    log(`long: partition sizes failed: ${message(error)}`);
  }
  await deleteKafkaThings(benchKafka('bench-long-cleanup'), [topic, `${topic}.dlq`], [group]).catch((error) =>
    log(`long: deleting ${topic} failed (retried at the end): ${message(error)}`),
  );
  await dropKeyspaces([keyspace]).catch((error) =>
    log(`long: dropping ${keyspace} failed (retried at the end): ${message(error)}`),
  );

  // The rate of each tenth: from the poll that first saw the previous boundary passed to the one that saw this.
  const tenths: Tenth[] = [];
  let from = timeline[0];
  for (let k = 1; k <= 10 && from; k++) {
    const to = timeline.find((point) => point.value >= (total * k) / 10);
    if (!to) break;
    const seconds = (to.at - from.at) / 1000;
    tenths.push({
      tenth: k,
      records: to.value - from.value,
      seconds,
      rate: seconds > 0 ? (to.value - from.value) / seconds : Number.NaN,
    });
    from = to;
  }
  const first = tenths[0];
  const last = tenths.length === 10 ? tenths[9] : undefined;
  const drained = (timeline.at(-1)?.value ?? 0) - (timeline[0]?.value ?? 0);
  const cpu = cpuPerRecord(cpuFrom, cpuTo, drained);
  const counting = rss.filter((s) => s.consumed > 0); // before its first commit the processor is starting
  const afterWarmup = counting.filter((s) => s.consumed >= total / 10).map((s) => s.rssMb);
  const third = Math.max(1, Math.floor(afterWarmup.length / 3));
  const early = median(afterWarmup.slice(0, third));
  const late = median(afterWarmup.slice(-third));
  const growth = late / early;
  const largest = partitions?.largest;
  const model = options.partitionModelBytes;
  log(
    `long: first tenth ${Math.round(first?.rate ?? 0).toLocaleString('en')} RSVP/s, last tenth ` +
      `${last ? Math.round(last.rate).toLocaleString('en') : 'not reached'} RSVP/s; processor RSS ` +
      `${Math.min(...counting.map((s) => s.rssMb))}–${Math.max(...counting.map((s) => s.rssMb))} MB while counting; largest partition ` +
      `${largest ? `${largest.maxPartitionBytes.toLocaleString('en')} B (${largest.table})` : 'unknown'}` +
      `${model ? ` against the model's ${model.toLocaleString('en')} B` : ' (no sizing model given: --partition-model-bytes)'}`,
  );
  const common = {
    messages: options.messages,
    venues: options.venues,
    partitions: options.partitions,
    cli: options.cli,
    processorNodeArgs: options.processorNodeArgs,
    complete,
    topicMiB: Math.round(bytes / MB),
    wallSeconds: Math.round((performance.now() - startedAt) / 1000),
    exitCode,
    tallies: summary?.tallies,
    cpuSeconds: cpu.seconds,
    cpuMicrosPerRsvp: cpu.microsPerRecord,
    cores: coresUsed(cpuFrom, cpuTo),
  };
  const results: Comparison[] = [];
  if (first && last) {
    results.push(
      compare(
        `long: ${options.messages.toLocaleString('en')} RSVPs, ${options.venues.toLocaleString('en')} venues, 1 processor: last tenth against first`,
        'RSVP/s',
        [last.rate],
        { name: 'the first tenth of the same run', samples: [first.rate] },
        TARGET_RATIO,
        { ...common, tenths },
      ),
    );
  } else {
    results.push(
      compare(
        `long: ${options.messages.toLocaleString('en')} RSVPs, ${options.venues.toLocaleString('en')} venues, 1 processor: NOT all tenths drained`,
        'RSVP/s',
        [tenths.at(-1)?.rate ?? Number.NaN],
        { name: 'the first tenth of the same run', samples: [first?.rate ?? Number.NaN] },
        TARGET_RATIO,
        { ...common, tenths },
      ),
    );
  }
  results.push(
    compare(
      `long: processor RSS (sampled every ${options.rssSampleMs / 1000} s) after the first tenth: median of the last third of the samples against the first third`,
      'MB',
      [late],
      { name: 'median RSS over the first third of the samples after the first tenth', samples: [early] },
      undefined,
      {
        flat: { maxGrowth: FLAT_GROWTH, growth, met: growth <= FLAT_GROWTH },
        minMb: Math.min(...counting.map((s) => s.rssMb)),
        maxMb: Math.max(...counting.map((s) => s.rssMb)),
        afterFirstTenthMb: { min: Math.min(...afterWarmup), max: Math.max(...afterWarmup) },
        peakMb: Math.max(...rss.map((s) => s.peakMb)),
        absoluteTarget: { mb: 256, met: Math.max(...rss.map((s) => s.peakMb)) <= 256 },
        samples: rss,
      },
    ),
  );
  if (partitions) {
    results.push(
      compare(
        `long: largest Cassandra partition of the keyspace (${largest?.table ?? 'no table'}) against the sizing model`,
        'bytes',
        [largest?.maxPartitionBytes ?? Number.NaN],
        {
          name: model
            ? 'the sizing model (--partition-model-bytes)'
            : 'no sizing model given (--partition-model-bytes)',
          samples: [model ?? Number.NaN],
        },
        undefined,
        {
          source: partitions.source,
          tables: partitions.tables,
          problems: partitions.problems,
          ...(model && {
            model: { bytes: model, met: (largest?.maxPartitionBytes ?? Number.POSITIVE_INFINITY) <= model },
          }),
        },
      ),
    );
  }
  return results;
}
