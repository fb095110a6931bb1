import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCassandraCountStore } from '@rsvp/adapter-cassandra';
import type { CountStore, VenueTotal } from '@rsvp/core';
import { dropKeyspaces, waitFor } from '@rsvp/testkit/harness';
import autocannon from 'autocannon';
import express from 'express';
import { syntheticVenue } from './api-latency.js';
import {
  type Child,
  type CliKind,
  contactPoints,
  localDataCenter,
  onCleanup,
  processMemory,
  sleep,
  startServe,
  stopChild,
} from './real-stack.js';
import { type Comparison, compare, summarize } from './stats.js';

/**
 * Issue 12: `GET /api/data?limit=100` with no answer cache, served by a real `rsvp serve --store cassandra`
 * child (whatever read model it has is what is measured), at growing numbers of venues, against a bare
 * Express handler sending the same bytes; and the RSS of that `rsvp serve` process once it answers.
 * The store is filled through the CountStore port only (`commit` of synthetic PartitionCommits, 6
 * partitions, batched), never with CQL against its tables: the layout is the store's own business.
 */
export interface ApiScaleOptions {
  /** Venue counts, ascending; the keyspace is filled up to each in turn (the next stage adds venues). */
  readonly venueCounts: readonly number[];
  readonly durationSeconds: number;
  readonly connections: number;
  readonly repetitions: number;
  /** Filling stops after this many seconds in all; the stages not reached are measured as filled so far. */
  readonly fillBudgetSeconds: number;
  /** Which `rsvp` serves: the built CLI or the sources through tsx. */
  readonly cli: CliKind;
  /** More options for `rsvp serve` (given with `--serve-args`); they come after the bench's own. */
  readonly serveArgs: readonly string[];
  /**
   * Small commits a second through the port while `rsvp serve` is under load (`--api-writes`), as a live
   * processor makes: an answer cache validated by "nothing changed" cannot then serve every request from
   * one read. 0: a store that nothing writes to.
   */
  readonly writesPerSecond: number;
}

const PATH = '/api/data?limit=100';
const PARTITIONS = 6;
/** Venues per commit: one conditional batch each, as big as the existing API benchmark's. */
const CHUNK = 500;
const TARGET_RATIO = 0.5;
/** Issue 12: the rate at 1,000,000 venues at least 0.8 × the rate at 10,000. */
const TARGET_FLAT = 0.8;
const MB = 2 ** 20;
/** How long `rsvp serve` may take to give its first answer (a full read at start may be slow). */
const FIRST_ANSWER_MS = 300_000;

/** Fills a store by stages through `CountStore.commit`, each partition's commits chained in offset order. */
class StagedFill {
  /** Venues committed so far (venue i goes to partition i mod 6). */
  filled = 0;
  seconds = 0;
  private readonly nextOffset: number[] = Array.from({ length: PARTITIONS }, () => 0);

  constructor(private readonly store: CountStore) {}

  /** Commits venues up to `target` or until `deadline` (performance.now()); returns the venues filled. */
  async fillTo(target: number, deadline: number): Promise<number> {
    const started = performance.now();
    const from = this.filled;
    const chains = Array.from({ length: PARTITIONS }, async (_, p) => {
      // Partition p holds venues p, p + 6, …; this stage adds those in [from, target).
      let i = from + ((p - (from % PARTITIONS) + PARTITIONS) % PARTITIONS);
      while (i < target && performance.now() < deadline) {
        const venues: VenueTotal[] = [];
        for (; i < target && venues.length < CHUNK; i += PARTITIONS) venues.push(syntheticVenue(i));
        const offset = this.nextOffset[p] as number;
        await this.store.commit({
          partition: `rsvps:${p}`,
          expectedNextOffset: offset,
          nextOffset: offset + 1,
          maxEventTime: 1_490_000_000_000 + i,
          rsvps: [],
          venues,
          windows: [],
        });
        this.nextOffset[p] = offset + 1;
      }
      return i;
    });
    const reached = await Promise.all(chains);
    // Each chain committed all its venues below the index it reached: every venue below the lowest is in.
    this.filled = Math.min(target, ...reached);
    this.seconds += (performance.now() - started) / 1000;
    return this.filled - from;
  }

  /**
   * One small commit, as a live processor makes: the partition's last filled venue again, same values (its
   * count is 1, far from the top 100, so every answer stays byte-equal), at the partition's next offset.
   */
  async touch(p: number): Promise<void> {
    const last = this.filled - 1 - ((this.filled - 1 - p) % PARTITIONS);
    if (last < 0) return;
    const offset = this.nextOffset[p] as number;
    this.nextOffset[p] = offset + 1;
    await this.store.commit({
      partition: `rsvps:${p}`,
      expectedNextOffset: offset,
      nextOffset: offset + 1,
      maxEventTime: 1_490_000_000_000 + this.filled,
      rsvps: [],
      venues: [syntheticVenue(last)],
      windows: [],
    });
  }
}

/**
 * While the subject is under load: `perSecond` small commits a second (partitions in turn) through the same
 * port, so that no answer can be reused because nothing changed; returns a function that stops it and
 * gives the commits made.
 */
function trickle(fill: StagedFill, perSecond: number): () => Promise<number> {
  if (perSecond <= 0) return async () => 0;
  let stopped = false;
  let made = 0;
  const running = (async () => {
    for (let n = 0; !stopped; n++) {
      const due = performance.now() + 1000 / perSecond;
      await fill.touch(n % PARTITIONS);
      made++;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
  })();
  return async () => {
    stopped = true;
    await running;
    return made;
  };
}

interface Serve {
  readonly child: Child;
  readonly url: string;
  readonly firstAnswerSeconds: number;
}

async function startAnsweringServe(
  keyspace: string,
  options: ApiScaleOptions,
  cacheOff: readonly string[],
): Promise<Serve> {
  const started = performance.now();
  const { child, url } = await startServe('rsvp serve', keyspace, options.cli, [...cacheOff, ...options.serveArgs]);
  try {
    await waitFor(
      `rsvp serve to answer ${PATH}`,
      async () => {
        if (child.process.exitCode !== null) throw new Error(`rsvp serve exited:\n${child.stderr()}`);
        const response = await fetch(url + PATH, { signal: AbortSignal.timeout(FIRST_ANSWER_MS) });
        await response.arrayBuffer();
        return response.ok;
      },
      FIRST_ANSWER_MS,
      200,
    );
    return { child, url, firstAnswerSeconds: (performance.now() - started) / 1000 };
  } catch (error) {
    await stopChild(child, 'SIGKILL');
    throw error;
  }
}

function memoryMb(child: Child): { rss: number; peak: number } {
  const m = child.process.pid ? processMemory(child.process.pid) : undefined;
  return {
    rss: Math.round(((m?.rss ?? Number.NaN) / MB) * 10) / 10,
    peak: Math.round(((m?.peak ?? Number.NaN) / MB) * 10) / 10,
  };
}

interface Load {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Connection errors and timeouts (10 s), and non-2xx answers: counted, not fatal, so that a slow read shows. */
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

async function load(url: string, seconds: number, connections: number): Promise<Load> {
  // The load generator runs in a worker thread, off the bench's event loop.
  const result = await autocannon({ url, connections, duration: seconds, workers: 1, timeout: 10 });
  return {
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

async function bareServer(body: Buffer, type: string): Promise<{ url: string; server: Server }> {
  const app = express();
  app.get('/api/data', (_req, res) => {
    res.type(type).send(body);
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

interface Stage {
  readonly venues: number;
  readonly filled: number;
  readonly subject: Load[];
  readonly bare: Load[];
  readonly rssMb: { readonly answering: number; readonly afterLoad: number; readonly peak: number };
  readonly firstAnswerSeconds: number;
  readonly responseBytes: number;
  /** Commits made while the subject was under load. */
  readonly writes: number;
}

export async function apiScale(options: ApiScaleOptions, log: (line: string) => void): Promise<Comparison[]> {
  const keyspace = `bench_apiscale_${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  onCleanup(`drop keyspace ${keyspace}`, () => dropKeyspaces([keyspace]));
  // `rsvp serve` answers from its maintained view: there is no answer cache to turn off.
  const cacheOff = { args: [] as string[], note: 'none: rsvp serve answers from its maintained view' };
  const store = await createCassandraCountStore({ contactPoints, localDataCenter, keyspace });
  const stages: Stage[] = [];
  let baseline: { rss: number; peak: number; firstAnswerSeconds: number } | undefined;
  const fill = new StagedFill(store);
  try {
    // The baseline: the same `rsvp serve` over the fresh, empty keyspace, once it answers.
    {
      const serve = await startAnsweringServe(keyspace, options, cacheOff.args);
      await sleep(1_000);
      baseline = { ...memoryMb(serve.child), firstAnswerSeconds: serve.firstAnswerSeconds };
      await stopChild(serve.child, 'SIGTERM', 15_000);
      log(`api-scale: rsvp serve over an empty keyspace: RSS ${baseline.rss} MB`);
    }
    const fillDeadline = performance.now() + options.fillBudgetSeconds * 1000;
    for (const venues of options.venueCounts) {
      const before = fill.seconds;
      await fill.fillTo(venues, fillDeadline);
      log(
        `api-scale: ${fill.filled.toLocaleString('en')} venues in the store (${(fill.seconds - before).toFixed(1)} s ` +
          `for this stage, ${Math.round(fill.filled / fill.seconds).toLocaleString('en')} venues/s overall)` +
          (fill.filled < venues
            ? `: NOT ${venues.toLocaleString('en')}, the fill budget of ${options.fillBudgetSeconds} s ran out`
            : ''),
      );
      const serve = await startAnsweringServe(keyspace, options, cacheOff.args);
      try {
        const answering = memoryMb(serve.child);
        const first = await fetch(serve.url + PATH);
        const body = Buffer.from(await first.arrayBuffer());
        const bare = await bareServer(body, first.headers.get('content-type') ?? 'application/json');
        try {
          await load(bare.url + PATH, 1, options.connections); // warm-up
          await load(serve.url + PATH, 1, options.connections);
          const subjectRuns: Load[] = [];
          const bareRuns: Load[] = [];
          let writes = 0;
          for (let r = 0; r < options.repetitions; r++) {
            bareRuns.push(await load(bare.url + PATH, options.durationSeconds, options.connections));
            const stopWriting = trickle(fill, options.writesPerSecond);
            try {
              subjectRuns.push(await load(serve.url + PATH, options.durationSeconds, options.connections));
            } finally {
              writes += await stopWriting();
            }
          }
          const check = Buffer.from(await (await fetch(serve.url + PATH)).arrayBuffer());
          if (!check.equals(body))
            log('api-scale: the answer changed during the load (it should not): the yardstick sent other bytes');
          const after = memoryMb(serve.child);
          const stage: Stage = {
            venues,
            filled: fill.filled,
            subject: subjectRuns,
            bare: bareRuns,
            rssMb: { answering: answering.rss, afterLoad: after.rss, peak: after.peak },
            firstAnswerSeconds: serve.firstAnswerSeconds,
            responseBytes: body.length,
            writes,
          };
          stages.push(stage);
          const rps = summarize(subjectRuns.map((run) => run.rps)).median;
          const failed = subjectRuns.reduce((n, run) => n + run.errors + run.non2xx, 0);
          log(
            `api-scale: ${fill.filled.toLocaleString('en')} venues: rsvp serve ${Math.round(rps).toLocaleString('en')} req/s ` +
              `(p99 ${summarize(subjectRuns.map((run) => run.p99)).median} ms${failed > 0 ? `, ${failed} failed requests` : ''}), ` +
              `bare Express ${Math.round(summarize(bareRuns.map((run) => run.rps)).median).toLocaleString('en')} req/s; ` +
              `first answer after ${serve.firstAnswerSeconds.toFixed(1)} s; RSS ${answering.rss} MB answering, ` +
              `${after.rss} MB after the load (peak ${after.peak} MB)`,
          );
        } finally {
          bare.server.close();
          bare.server.closeAllConnections();
        }
      } finally {
        await stopChild(serve.child, 'SIGTERM', 15_000);
      }
    }
  } finally {
    await store.close().catch(() => {});
    await dropKeyspaces([keyspace]).catch((error) =>
      log(`api-scale: dropping ${keyspace} failed (retried at the end): ${error}`),
    );
  }

  const results: Comparison[] = [];
  for (const stage of stages) {
    const p99 = summarize(stage.subject.map((run) => run.p99));
    results.push(
      compare(
        `GET ${PATH}, rsvp serve over Cassandra, its maintained view (no answer cache), ${options.writesPerSecond} commits/s, ${stage.filled.toLocaleString('en')} venues`,
        'req/s',
        stage.subject.map((run) => run.rps),
        { name: 'bare Express 5 handler, same bytes', samples: stage.bare.map((run) => run.rps) },
        TARGET_RATIO,
        {
          venues: stage.venues,
          venuesFilled: stage.filled,
          filledAll: stage.filled >= stage.venues,
          answerCache: cacheOff.note,
          writesPerSecond: options.writesPerSecond,
          writesDuringLoad: stage.writes,
          serveArgs: options.serveArgs,
          cli: options.cli,
          p99Ms: p99,
          p50Ms: summarize(stage.subject.map((run) => run.p50)),
          p99Target: { ms: 20, met: p99.median <= 20 },
          yardstickP99Ms: summarize(stage.bare.map((run) => run.p99)),
          failedRequests: stage.subject.reduce((n, run) => n + run.errors + run.non2xx, 0),
          timeouts: stage.subject.reduce((n, run) => n + run.timeouts, 0),
          connections: options.connections,
          durationSeconds: options.durationSeconds,
          responseBytes: stage.responseBytes,
          firstAnswerSeconds: stage.firstAnswerSeconds,
          rssMb: stage.rssMb,
          baselineRssMb: baseline?.rss,
          fillSecondsSoFar: fill.seconds,
        },
      ),
    );
  }
  // Flat: the rate at the most venues against the rate at the fewest, repetition by repetition.
  const [low, high] = [stages[0], stages.at(-1)];
  if (low && high && high !== low) {
    results.push(
      compare(
        `GET ${PATH} req/s at ${high.filled.toLocaleString('en')} venues against ${low.filled.toLocaleString('en')} (flat)`,
        'req/s',
        high.subject.map((run) => run.rps),
        { name: `the same at ${low.filled.toLocaleString('en')} venues`, samples: low.subject.map((run) => run.rps) },
        TARGET_FLAT,
        { venues: [low.filled, high.filled] },
      ),
    );
  }
  // The memory of the view: RSS of the answering `rsvp serve` against the same process over no venue.
  if (baseline) {
    for (const stage of stages.filter((s) => s !== low || stages.length === 1)) {
      results.push(
        compare(
          `rsvp serve RSS once it answers, ${stage.filled.toLocaleString('en')} venues (its view's memory)`,
          'MB',
          [stage.rssMb.answering],
          { name: 'rsvp serve over an empty keyspace, once it answers', samples: [baseline.rss] },
          undefined,
          {
            venues: stage.venues,
            venuesFilled: stage.filled,
            viewMb: Math.round((stage.rssMb.answering - baseline.rss) * 10) / 10,
            afterLoadMb: stage.rssMb.afterLoad,
            peakMb: stage.rssMb.peak,
            baselinePeakMb: baseline.peak,
            bytesPerVenue: Math.round(((stage.rssMb.answering - baseline.rss) * MB) / Math.max(1, stage.filled)),
            cli: options.cli,
          },
        ),
      );
    }
  }
  return results;
}
