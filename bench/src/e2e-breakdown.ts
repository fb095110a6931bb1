import { createCassandraCountStore } from '@rsvp/adapter-cassandra';
import { createKafka, createRecordSender, KafkaDeadLetterSink, KafkaEventSource } from '@rsvp/adapter-kafka';
import { type CountStore, DEFAULT_PIPELINE_SETTINGS, type DeadLetterSink, Pipeline, type Tallies } from '@rsvp/core';
import { dropKeyspaces, waitFor } from '@rsvp/testkit/harness';
import { POLL_MS } from './e2e-drain.js';
import {
  benchKafka,
  brokers,
  committedTotal,
  contactPoints,
  coresUsed,
  cpuSample,
  deleteKafkaThings,
  localDataCenter,
  onCleanup,
  sleep,
  stackPids,
} from './real-stack.js';
import { quantile } from './stats.js';

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

export async function breakdownRun(topic: string, total: number, id: string, limit: number): Promise<Breakdown> {
  const group = `bench_e2e_${id}_diag`;
  const keyspace = `bench_e2e_${id}_diag`;
  onCleanup(`drop keyspace ${keyspace}`, () => dropKeyspaces([keyspace]));
  onCleanup(`delete group ${group}`, () => deleteKafkaThings(benchKafka('bench-e2e-cleanup'), [], [group]));
  const store = await createCassandraCountStore({ contactPoints, localDataCenter, keyspace });
  const kafka = createKafka({ brokers, clientId: 'bench-e2e-diag' });
  // As the processors send their dead letters (`rsvp process`): one send per partition at a time.
  const producer = createRecordSender(kafka);
  await producer.connect();
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
