import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ManualClock, MemoryCountStore, MemoryDeadLetterSink } from '@rsvp/adapter-memory';
import {
  DEFAULT_PIPELINE_SETTINGS,
  PartitionAggregate,
  Pipeline,
  type PipelineSettings,
  parseRsvp,
  type SourceRecord,
  type Tallies,
  type WindowSpec,
} from '@rsvp/core';
import { type Comparison, compare } from './stats.js';

export interface CoreOptions {
  readonly corpusPath: string;
  /** Each repetition handles the corpus as many times as it takes to reach this many RSVPs. */
  readonly minRsvps: number;
  readonly repetitions: number;
  readonly warmups: number;
  readonly gc: () => void;
}

/** Lines of an NDJSON file as views on its bytes, as a Kafka consumer hands them over. */
export function readLines(path: string): Uint8Array[] {
  const raw = readFileSync(path);
  const bytes = path.endsWith('.gz') ? gunzipSync(raw) : raw;
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, start)) {
    if (i > start) lines.push(bytes.subarray(start, i));
    start = i + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

const BATCH_SIZE = 5_000; // the CLI's default --batch-size
/** After every corpus mtime (2020-10), so that no record is "ahead of the clock". */
const CLOCK_MS = Date.UTC(2021, 0, 1);
const TARGET_RATIO = 0.75;
let sink = 0; // keeps the yardstick's work observable

type Run = (copies: number) => Promise<Tallies | undefined>;

export async function coreThroughput(options: CoreOptions): Promise<Comparison[]> {
  const lines = readLines(options.corpusPath);
  const copies = Math.ceil(options.minRsvps / lines.length);
  const rsvps = copies * lines.length;
  const records: SourceRecord[] = lines.map((value, offset) => ({ offset, value }));
  const batches: SourceRecord[][] = [];
  for (let i = 0; i < records.length; i += BATCH_SIZE) batches.push(records.slice(i, i + BATCH_SIZE));

  const oneWindow: PipelineSettings = {
    ...DEFAULT_PIPELINE_SETTINGS,
    windows: [DEFAULT_PIPELINE_SETTINGS.windows[0] as WindowSpec],
  };
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const yardstick: Run = async (n) => {
    for (let c = 0; c < n; c++) {
      for (const line of lines) if (JSON.parse(decoder.decode(line)) !== null) sink++;
    }
    return undefined;
  };
  const parseOnly: Run = async (n) => {
    for (let c = 0; c < n; c++) {
      for (const line of lines) if (parseRsvp(line).ok) sink++;
    }
    return undefined;
  };
  // Each corpus copy is its own partition (offsets 0…n-1), so that every copy does the full work: in one
  // partition the second copy would only find closed windows and equal mtimes. `takeCommit` runs at the
  // pipeline's batch boundaries, as it does there: it is what forgets closed windows.
  const aggregateOnly =
    (settings: PipelineSettings): Run =>
    async (n) => {
      for (let c = 0; c < n; c++) {
        const aggregate = new PartitionAggregate({ partition: `rsvps:${c}` }, settings);
        for (let offset = 0; offset < lines.length; offset++) {
          const parsed = parseRsvp(lines[offset] as Uint8Array, { maxMessageBytes: settings.maxMessageBytes });
          if (parsed.ok) aggregate.apply(parsed.value, offset);
          if (offset % BATCH_SIZE === BATCH_SIZE - 1) aggregate.takeCommit();
        }
        aggregate.takeCommit();
      }
      return undefined;
    };
  const pipeline =
    (settings: PipelineSettings): Run =>
    async (n) => {
      const store = new MemoryCountStore();
      const deps = { store, deadLetters: new MemoryDeadLetterSink(1_000), clock: new ManualClock(CLOCK_MS) };
      const p = new Pipeline(deps, settings);
      for (let c = 0; c < n; c++) {
        const partition = `rsvps:${c}`;
        for (const records of batches) await p.handleBatch({ partition, records });
      }
      return p.tallies();
    };

  const subjects: [string, Run][] = [
    [`pipeline.handleBatch, windows 1m + 1h/5m (default)`, pipeline(DEFAULT_PIPELINE_SETTINGS)],
    [`pipeline.handleBatch, window 1m`, pipeline(oneWindow)],
    [`parseRsvp + aggregate.apply, windows 1m + 1h/5m (default)`, aggregateOnly(DEFAULT_PIPELINE_SETTINGS)],
    [`parseRsvp + aggregate.apply, window 1m`, aggregateOnly(oneWindow)],
    ['parseRsvp only', parseOnly],
  ];
  const all: [string, Run][] = [['yardstick', yardstick], ...subjects];

  const time = async (run: Run, n: number): Promise<{ rate: number; tallies: Tallies | undefined }> => {
    options.gc();
    const started = performance.now();
    const tallies = await run(n);
    const seconds = (performance.now() - started) / 1000;
    return { rate: (n * lines.length) / seconds, tallies };
  };

  for (let w = 0; w < options.warmups; w++) for (const [, run] of all) await time(run, Math.min(copies, 5));
  const samples = new Map<string, number[]>(all.map(([name]) => [name, []]));
  const tallies = new Map<string, Tallies>();
  for (let r = 0; r < options.repetitions; r++) {
    for (const [name, run] of all) {
      const result = await time(run, copies);
      samples.get(name)?.push(result.rate);
      if (result.tallies) tallies.set(name, result.tallies);
    }
  }
  const yard = { name: 'TextDecoder(fatal).decode + JSON.parse', samples: samples.get('yardstick') ?? [] };
  return subjects.map(([name]) =>
    compare(name, 'RSVP/s', samples.get(name) ?? [], yard, TARGET_RATIO, {
      rsvpsPerRepetition: rsvps,
      corpusLines: lines.length,
      copies,
      ...(tallies.has(name) && { tallies: tallies.get(name) }),
      sink,
    }),
  );
}
