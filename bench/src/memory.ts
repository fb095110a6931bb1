import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ManualClock, MemoryCountStore, MemoryDeadLetterSink } from '@rsvp/adapter-memory';
import { readConfig } from '@rsvp/cli';
import {
  type CountStore,
  emptySnapshot,
  Pipeline,
  type Rsvp,
  RsvpSimulator,
  type RsvpState,
  type SourceRecord,
  StaleWriterError,
  serializeRsvp,
} from '@rsvp/core';
import type { Comparison } from './stats.js';
import { summarize } from './stats.js';

export interface MemoryOptions {
  readonly venues: number;
  /** RSVPs per venue: the pipeline keeps every RSVP's state, so memory grows with RSVPs too. */
  readonly rsvpsPerVenue: number;
  readonly repetitions: number;
  /** Run the opt-in soak instead: the simulator flat out for this long, RSS sampled after GC. */
  readonly soakSeconds?: number;
  /**
   * `remote`: the processor alone, its counts going to a store in another process (as with Cassandra);
   * `memory`: `rsvp all` with the embedded memory store, which holds a second copy of everything.
   */
  readonly store: 'remote' | 'memory';
}

/**
 * What a processor over a remote store holds of it: nothing but the fenced offsets, and (for the report
 * only, about 3 MB at 100,000 venues) the ids of the venues its commits named. It answers RSVP bucket lookups
 * with nothing, as a store would for RSVPs never seen (the synthesized ones are all new; the soak's
 * re-sends of a forgotten RSVP then count again, which changes the counts, not the memory).
 */
class RemoteStoreStandIn implements CountStore {
  private readonly offsets = new Map<string, number>();
  readonly venueIds = new Set<number>();
  async load(partition: string) {
    return { ...emptySnapshot(partition), nextOffset: this.offsets.get(partition) ?? 0 };
  }
  async loadRsvpBuckets(): Promise<RsvpState[]> {
    return [];
  }
  async commit(commit: Parameters<CountStore['commit']>[0]) {
    const stored = this.offsets.get(commit.partition) ?? 0;
    if (stored !== commit.expectedNextOffset) {
      throw new StaleWriterError(commit.partition, commit.expectedNextOffset, stored);
    }
    this.offsets.set(commit.partition, commit.nextOffset);
    for (const venue of commit.venues) this.venueIds.add(venue.venueId);
  }
}

interface ChildReport {
  readonly baselineRss: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly venues: number;
  readonly rsvps: number;
  readonly seconds: number;
  readonly samples?: readonly { readonly seconds: number; readonly messages: number; readonly rss: number }[];
}

const MB = 1024 * 1024;
const TARGET_MB = 256;
const PARTITIONS = 6;
const BATCH = readConfig({}).batchSize; // the CLI's default --batch-size
const T0 = Date.UTC(2017, 2, 19);
const CHILD_FLAG = '--memory-child';

/** What the synthesized RSVPs share: a plausible member, event and group. */
const TEMPLATE: Rsvp = {
  rsvpId: 0,
  mtime: T0,
  response: 'yes',
  guests: 0,
  visibility: 'public',
  venue: null,
  member: { memberId: 12_345_678, memberName: 'member-12345678' },
  event: {
    eventId: '230000001',
    eventName: 'Meetup night',
    eventUrl: 'https://www.meetup.com/x/events/230000001/',
    time: T0,
  },
  group: {
    groupId: 10_000_001,
    groupName: 'London Tech',
    groupUrlname: 'London-Tech',
    groupCity: 'London',
    groupCountry: 'gb',
    groupState: null,
    groupLat: 51.5,
    groupLon: -0.12,
    groupTopics: [{ urlkey: 'softwaredev', topicName: 'Software Development' }],
  },
};

/** Runs each measurement in a fresh child process (with --expose-gc), so that RSS is the processor's alone. */
export async function memory(options: MemoryOptions): Promise<Comparison[]> {
  const reports: ChildReport[] = [];
  const repetitions = options.soakSeconds === undefined ? options.repetitions : 1;
  for (let r = 0; r < repetitions; r++) reports.push(await runChild(options));
  const rssMb = reports.map((report) => report.rss / MB);
  const baseMb = reports.map((report) => report.baselineRss / MB);
  const who = options.store === 'remote' ? 'processor (store in another process)' : 'all in one (memory store)';
  const name =
    options.soakSeconds === undefined
      ? `${who} RSS after GC, ${options.venues.toLocaleString('en')} venues`
      : `${who} RSS after GC, ${options.soakSeconds} s soak`;
  const median = summarize(rssMb).median;
  return [
    {
      name,
      unit: 'MB',
      subject: summarize(rssMb),
      yardstick: { name: 'the same process before any RSVP', ...summarize(baseMb) },
      ratio: summarize(rssMb.map((rss, i) => rss / (baseMb[i] as number))),
      extra: {
        absoluteTarget: { mb: TARGET_MB, met: median <= TARGET_MB },
        heapUsedMb: summarize(reports.map((report) => report.heapUsed / MB)),
        // Where the rest of RSS goes: the heap V8 has reserved, and memory outside it (buffers).
        heapTotalMb: summarize(reports.map((report) => report.heapTotal / MB)),
        externalMb: summarize(reports.map((report) => report.external / MB)),
        venues: reports[0]?.venues,
        rsvps: reports[0]?.rsvps,
        seconds: summarize(reports.map((report) => report.seconds)),
        ...(reports[0]?.samples && { samples: reports[0].samples }),
      },
    },
  ];
}

function runChild(options: MemoryOptions): Promise<ChildReport> {
  const file = fileURLToPath(import.meta.url);
  const args = [...process.execArgv, '--expose-gc', file, CHILD_FLAG, JSON.stringify(options)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as ChildReport);
      else reject(new Error(`memory child exited with ${code}`));
    });
  });
}

/** The n-th synthesized RSVP: venue n mod venues, so that every venue is named; mtimes over one day. */
function synthesized(n: number, options: MemoryOptions): Rsvp {
  const venueIndex = n % options.venues;
  const total = options.venues * options.rsvpsPerVenue;
  return {
    ...TEMPLATE,
    rsvpId: 1_000_000_000 + n,
    mtime: T0 + Math.floor((n * 86_400_000) / total),
    response: n % 7 === 6 ? 'no' : 'yes', // 100,000 is not a multiple of 7: every venue gets a yes
    venue: {
      venueId: 20_000_000 + venueIndex,
      venueName: `Venue ${venueIndex}`,
      lat: Math.round((51.5 + (venueIndex % 1000) / 1e4) * 1e6) / 1e6,
      lon: Math.round((-0.12 - (venueIndex % 997) / 1e4) * 1e6) / 1e6,
    },
  };
}

async function child(options: MemoryOptions): Promise<ChildReport> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const collect = (): NodeJS.MemoryUsage => {
    gc();
    gc();
    return process.memoryUsage();
  };
  const encoder = new TextEncoder();
  const baselineRss = collect().rss;

  const clock = new ManualClock(T0);
  // As `rsvp all` configures it: windows older than the default --window-retention (2h) are forgotten.
  const store = new MemoryCountStore({ windowRetentionMs: readConfig({}).windowRetentionMs });
  const remote = new RemoteStoreStandIn();
  const pipeline = new Pipeline({
    store: options.store === 'memory' ? store : remote,
    deadLetters: new MemoryDeadLetterSink(1_000),
    clock,
  });
  const pending: SourceRecord[][] = Array.from({ length: PARTITIONS }, () => []);
  const offsets = new Array<number>(PARTITIONS).fill(0);
  const flush = async (p: number) => {
    const records = pending[p] as SourceRecord[];
    if (records.length > 0) await pipeline.handleBatch({ partition: `rsvps:${p}`, records });
    pending[p] = [];
  };
  const push = async (n: number, message: string) => {
    const p = n % PARTITIONS;
    const records = pending[p] as SourceRecord[];
    const offset = offsets[p] ?? 0;
    offsets[p] = offset + 1;
    records.push({ offset, value: encoder.encode(message) });
    if (records.length >= BATCH) await flush(p);
  };

  const started = performance.now();
  const samples: { seconds: number; messages: number; rss: number }[] = [];
  let n = 0;
  if (options.soakSeconds === undefined) {
    clock.set(T0 + 2 * 86_400_000);
    for (; n < options.venues * options.rsvpsPerVenue; n++) await push(n, serializeRsvp(synthesized(n, options)));
  } else {
    const simulator = new RsvpSimulator({ venueCount: options.venues });
    let nextSample = started;
    while (performance.now() - started < options.soakSeconds * 1000) {
      for (let i = 0; i < BATCH; i++, n++) {
        clock.advance(5); // 200 RSVP/s of event time, processed as fast as they come
        await push(n, simulator.next(clock.now()));
      }
      if (performance.now() >= nextSample) {
        samples.push({ seconds: (performance.now() - started) / 1000, messages: n, rss: collect().rss });
        nextSample += 30_000;
      }
    }
  }
  for (let p = 0; p < PARTITIONS; p++) await flush(p);
  const seconds = (performance.now() - started) / 1000;
  const usage = collect();
  const venues = options.store === 'memory' ? (await store.topVenues({})).length : remote.venueIds.size;
  return {
    baselineRss,
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    heapTotal: usage.heapTotal,
    external: usage.external,
    venues,
    rsvps: n,
    seconds,
    ...(samples.length > 0 && { samples }),
  };
}

if (process.argv[2] === CHILD_FLAG) {
  const report = await child(JSON.parse(process.argv[3] ?? '{}') as MemoryOptions);
  process.stdout.write(JSON.stringify(report));
}
