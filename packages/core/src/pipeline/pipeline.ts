import type { AggregationSettings } from '../aggregation/aggregation-settings.js';
import { PartitionAggregate } from '../aggregation/partition-aggregate.js';
import type { PartitionId } from '../aggregation/partition-state.js';
import type { Clock } from '../ports/clock.js';
import type { CountStore } from '../ports/count-store.js';
import type { DeadLetter, DeadLetterSink } from '../ports/dead-letter-sink.js';
import type { BatchConsumer, SourceBatch, SourceRecord } from '../ports/event-source.js';
import { failure, type Result } from '../result.js';
import { DEFAULT_MAX_MESSAGE_BYTES, parseRsvp } from '../rsvp/parse-rsvp.js';
import type { Problem } from '../rsvp/problem.js';
import type { Rsvp } from '../rsvp/rsvp.js';
import { parseWindowSpec, type WindowSpec } from '../windows/window-spec.js';
import { addTallies, bump, emptyTallies, type Tallies } from './tallies.js';

/** Records parsed before they are applied: the RSVP states they need are read back for all at once. */
const PARSE_AHEAD = 250;

export interface PipelineSettings extends AggregationSettings {
  readonly maxMessageBytes: number;
  /**
   * RSVP states a partition keeps in memory between batches. Past this, after a commit, it forgets them
   * (the store has them all) and reads back the buckets its next batches name: memory stays bounded
   * however many RSVPs a long run sees.
   */
  readonly maxHeldRsvps: number;
  /** Messages dated further than this past the clock are rejected: one bad mtime would close every window. */
  readonly maxEventTimeAheadMs: number;
}

export const DEFAULT_PIPELINE_SETTINGS: PipelineSettings = {
  windows: [defaultWindow('1m'), defaultWindow('1h/5m')],
  maxOutOfOrdernessMs: 5_000,
  allowedLatenessMs: 60_000,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  maxHeldRsvps: 20_000,
  maxEventTimeAheadMs: 3_600_000,
  rsvpRetentionMs: 7 * 86_400_000,
};

function defaultWindow(text: string): WindowSpec {
  const spec = parseWindowSpec(text);
  if (!spec.ok) throw new Error(spec.problems.join('; ')); // a constant: never, unless the parser changes
  return spec.value;
}

/** How one stored batch went. */
export interface BatchReport {
  readonly partition: PartitionId;
  readonly tallies: Tallies;
  /** From the start of the batch to its commit, by the clock. */
  readonly durationMs: number;
  /** The store's commit alone. */
  readonly storeMs: number;
}

export interface PipelineDeps {
  readonly store: CountStore;
  readonly deadLetters: DeadLetterSink;
  readonly clock: Clock;
  /** Hears about every stored batch, e.g. to export metrics. */
  readonly onBatchStored?: (report: BatchReport) => void;
}

/**
 * RSVP records in, exact venue counts out: parse → aggregate → dead-letter the rejects → commit the
 * counts with their position → let the source acknowledge. Batches of one partition must come one at a
 * time; different partitions may run concurrently.
 */
export class Pipeline implements BatchConsumer {
  private readonly partitions = new Map<PartitionId, PartitionAggregate>();
  private readonly totals = emptyTallies();

  constructor(
    private readonly deps: PipelineDeps,
    readonly settings: PipelineSettings = DEFAULT_PIPELINE_SETTINGS,
  ) {}

  /** Where every record acknowledged so far went. */
  tallies(): Tallies {
    const copy = emptyTallies();
    addTallies(copy, this.totals);
    return copy;
  }

  async handleBatch(batch: SourceBatch): Promise<Tallies> {
    const startedAt = this.deps.clock.now();
    let storeMs = 0;
    const aggregate = await this.aggregateFor(batch.partition);
    const tallies = emptyTallies();
    const letters: DeadLetter[] = [];
    const rejectedAt = this.deps.clock.now();
    const latestAllowed = rejectedAt + this.settings.maxEventTimeAheadMs;
    try {
      // A slice at a time: parsed RSVPs wait for the read-back of their states, and a short wait keeps
      // them in the young generation (a whole batch of them held at once doubles the GC's work).
      for (let from = 0; from < batch.records.length; from += PARSE_AHEAD) {
        const valid: { readonly rsvp: Rsvp; readonly offset: number }[] = [];
        for (let i = from; i < Math.min(from + PARSE_AHEAD, batch.records.length); i++) {
          const record = batch.records[i] as SourceRecord;
          tallies.received++;
          if (record.offset < aggregate.nextOffset) {
            bump(tallies.filtered, 'redelivered');
            continue;
          }
          aggregate.advanceTo(record.offset + 1);
          const checked = this.check(record, latestAllowed);
          if (checked.ok) {
            valid.push({ rsvp: checked.value, offset: record.offset });
            continue;
          }
          const { problems } = checked;
          letters.push({
            partition: batch.partition,
            offset: record.offset,
            value: record.value,
            problems,
            rejectedAt,
          });
          bump(tallies.deadLettered, (problems[0] as Problem).code);
        }
        // The buckets of RSVP states these records need that the store holds and memory does not.
        const buckets = new Set<number>();
        for (const { rsvp } of valid) {
          const bucket = aggregate.bucketToLoad(rsvp.rsvpId);
          if (bucket !== null) buckets.add(bucket);
        }
        if (buckets.size > 0) {
          const needed = [...buckets];
          aggregate.rememberBuckets(needed, await this.deps.store.loadRsvpBuckets(batch.partition, needed));
        }
        for (const { rsvp, offset } of valid) {
          const outcome = aggregate.apply(rsvp, offset);
          if (outcome.kind === 'superseded' || outcome.kind === 'expired') {
            bump(tallies.filtered, outcome.kind);
          } else {
            tallies.counted++;
            if (outcome.late) tallies.late++;
          }
        }
      }
      if (letters.length > 0) await this.deps.deadLetters.write(letters);
      const commit = aggregate.takeCommit();
      if (commit.nextOffset !== commit.expectedNextOffset) {
        const committingAt = this.deps.clock.now();
        await this.deps.store.commit(commit);
        storeMs = this.deps.clock.now() - committingAt;
      }
      if (aggregate.rsvpCount > this.settings.maxHeldRsvps) aggregate.forgetRsvps();
    } catch (error) {
      // The working state is ahead of the store now: drop it and reload on the next batch.
      this.partitions.delete(batch.partition);
      throw error;
    }
    addTallies(this.totals, tallies);
    const durationMs = this.deps.clock.now() - startedAt;
    this.deps.onBatchStored?.({ partition: batch.partition, tallies, durationMs, storeMs });
    return tallies;
  }

  releasePartitions(partitions: readonly PartitionId[]): void {
    for (const partition of partitions) this.partitions.delete(partition);
  }

  /** Parses and validates one record: the RSVP, or the problems for which it must be dead-lettered. */
  private check(record: SourceRecord, latestAllowed: number): Result<Rsvp> {
    if (record.value === null) {
      return failure([{ code: 'empty_message', path: '', message: 'the record has no value (a tombstone)' }]);
    }
    const parsed = parseRsvp(record.value, { maxMessageBytes: this.settings.maxMessageBytes });
    if (!parsed.ok) return parsed;
    if (parsed.value.mtime > latestAllowed) {
      const message = `mtime ${parsed.value.mtime} is more than ${this.settings.maxEventTimeAheadMs} ms ahead of the clock`;
      return failure([{ code: 'event_time_ahead', path: 'mtime', message }]);
    }
    return parsed;
  }

  private async aggregateFor(partition: PartitionId): Promise<PartitionAggregate> {
    let aggregate = this.partitions.get(partition);
    if (aggregate === undefined) {
      // Without the RSVP states: they are read back as batches name them.
      const snapshot = await this.deps.store.load(partition, { rsvps: false });
      aggregate = new PartitionAggregate(snapshot, this.settings);
      this.partitions.set(partition, aggregate);
    }
    return aggregate;
  }
}
