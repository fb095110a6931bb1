import type { AggregationSettings } from '../aggregation/aggregation-settings.js';
import { PartitionAggregate } from '../aggregation/partition-aggregate.js';
import type { Clock } from '../ports/clock.js';
import type { CountStore } from '../ports/count-store.js';
import type { DeadLetter, DeadLetterSink } from '../ports/dead-letter-sink.js';
import type { BatchConsumer, PartitionId, SourceBatch, SourceRecord } from '../ports/event-source.js';
import { DEFAULT_MAX_MESSAGE_BYTES, parseRsvp } from '../rsvp/parse-rsvp.js';
import type { Problem } from '../rsvp/problem.js';
import { parseWindowSpec, type WindowSpec } from '../windows/window-spec.js';
import { addTallies, bump, emptyTallies, type Tallies } from './tallies.js';

export interface PipelineSettings extends AggregationSettings {
  readonly maxMessageBytes: number;
  /** Messages dated further than this past the clock are rejected: one bad mtime would close every window. */
  readonly maxEventTimeAheadMs: number;
}

export const DEFAULT_PIPELINE_SETTINGS: PipelineSettings = {
  windows: [parseWindowSpec('1m') as WindowSpec, parseWindowSpec('1h/5m') as WindowSpec],
  maxOutOfOrdernessMs: 5_000,
  allowedLatenessMs: 60_000,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  maxEventTimeAheadMs: 3_600_000,
};

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
      for (const record of batch.records) {
        tallies.received++;
        if (record.offset < aggregate.nextOffset) {
          bump(tallies.filtered, 'redelivered');
          continue;
        }
        aggregate.advanceTo(record.offset + 1);
        const problems = this.applyRecord(aggregate, record, latestAllowed, tallies);
        if (problems !== undefined) {
          letters.push({
            partition: batch.partition,
            offset: record.offset,
            value: record.value,
            problems,
            rejectedAt,
          });
          bump(tallies.deadLettered, (problems[0] as Problem).code);
        }
      }
      if (letters.length > 0) await this.deps.deadLetters.write(letters);
      const commit = aggregate.takeCommit();
      if (commit.nextOffset !== commit.expectedNextOffset) {
        const committingAt = this.deps.clock.now();
        await this.deps.store.commit(commit);
        storeMs = this.deps.clock.now() - committingAt;
      }
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

  /** Counts one record; returns its problems when it must be dead-lettered. */
  private applyRecord(
    aggregate: PartitionAggregate,
    record: SourceRecord,
    latestAllowed: number,
    tallies: Tallies,
  ): readonly Problem[] | undefined {
    if (record.value === null) {
      return [{ code: 'empty_message', path: '', message: 'the record has no value (a tombstone)' }];
    }
    const parsed = parseRsvp(record.value, { maxMessageBytes: this.settings.maxMessageBytes });
    if (!parsed.ok) return parsed.problems;
    if (parsed.rsvp.mtime > latestAllowed) {
      const message = `mtime ${parsed.rsvp.mtime} is more than ${this.settings.maxEventTimeAheadMs} ms ahead of the clock`;
      return [{ code: 'event_time_ahead', path: 'mtime', message }];
    }
    const outcome = aggregate.apply(parsed.rsvp, record.offset);
    if (outcome.kind === 'superseded') {
      bump(tallies.filtered, 'superseded');
    } else {
      tallies.counted++;
      if (outcome.late) tallies.late++;
    }
    return undefined;
  }

  private async aggregateFor(partition: PartitionId): Promise<PartitionAggregate> {
    let aggregate = this.partitions.get(partition);
    if (aggregate === undefined) {
      aggregate = new PartitionAggregate(await this.deps.store.load(partition), this.settings);
      this.partitions.set(partition, aggregate);
    }
    return aggregate;
  }
}
