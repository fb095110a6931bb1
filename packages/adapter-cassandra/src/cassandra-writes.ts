import { type PartitionCommit, type PartitionId, type RsvpState, rsvpBucketOf, StaleWriterError } from '@rsvp/core';
import type { CassandraReads } from './cassandra-reads.js';
import { encodeChanges, encodeStates, nullableLong, type Tables } from './cassandra-rows.js';
import { encodeCellCounts, PartitionCounts } from './partition-counts.js';

export interface WriteOptions {
  /** TTL of window cells; absent: none. */
  readonly windowRetentionMs?: number | undefined;
  /** How long change records are kept for the read sides, once folded. */
  readonly changeRetentionMs: number;
  /** Every this many commits of a partition, the journal is folded into its venue and cell rows. */
  readonly foldEveryCommits: number;
}

/** What a writer knows of a partition's journal. */
interface Journal {
  /** Commits up to here are folded into the rows. */
  folded: number;
  /** Commits since then. */
  commits: number;
  /** The folds this writer made (time, offset), oldest first: records folded long enough ago can go. */
  readonly folds: { at: number; offset: number }[];
}

/**
 * The write side: each commit is one conditional batch on the source partition's own Cassandra partition,
 * applied only if the stored next offset is the one the writer started from.
 */
export class CassandraWrites {
  private readonly known = new Set<PartitionId>();
  private readonly journals = new Map<PartitionId, Journal>();
  /** 0: no TTL. */
  private readonly windowTtlSeconds: number;
  /**
   * The statements, made once: the driver finds a prepared statement by its text, and a string made anew
   * for each of a commit's thousands of statements would be hashed anew each time.
   */
  private readonly statements: ReturnType<typeof statementsFor>;

  constructor(
    private readonly tables: Tables,
    private readonly options: WriteOptions,
    /** Reads a partition's head and its change records. */
    private readonly reads: CassandraReads,
  ) {
    const { windowRetentionMs, changeRetentionMs, foldEveryCommits } = options;
    if (windowRetentionMs !== undefined && !(windowRetentionMs >= 1000)) {
      throw new RangeError('windowRetentionMs must be at least 1000');
    }
    if (!(changeRetentionMs >= 1000)) throw new RangeError('changeRetentionMs must be at least 1000');
    if (!Number.isInteger(foldEveryCommits) || foldEveryCommits < 1) {
      throw new RangeError('foldEveryCommits must be a positive integer');
    }
    // Cassandra counts a TTL from the whole second of the write, so a row lives up to a second less than its
    // TTL: one second more keeps every cell at least `windowRetentionMs`.
    this.windowTtlSeconds = windowRetentionMs === undefined ? 0 : Math.ceil(windowRetentionMs / 1000) + 1;
    this.statements = statementsFor(tables.state);
  }

  /**
   * One conditional batch: the position, the RSVP states by bucket and the commit's change record (its
   * journal entry). Every `foldEveryCommits` commits, the batch also folds the journal into the venue and
   * cell rows: one row per venue changed since the last fold and one per window cell, not one per venue
   * and cell each commit. A zombie's fold fails with its commit.
   */
  async commit(commit: PartitionCommit): Promise<void> {
    const p = commit.partition;
    try {
      const journal = await this.journalOf(p);
      const folds = journal.commits + 1 >= this.options.foldEveryCommits;
      const queries: Statement[] = [
        {
          query: this.statements.position,
          // A partition never written has no offset: null stands for 0.
          params: [
            commit.nextOffset,
            commit.maxEventTime,
            commit.expiredBucketMax ?? null,
            folds ? commit.nextOffset : journal.folded,
            p,
            commit.expectedNextOffset === 0 ? null : commit.expectedNextOffset,
          ],
        },
        ...this.bucketStatements(commit),
      ];
      if (folds) queries.push(...(await this.foldStatements(commit, journal)));
      // The change record, in the same conditional batch: it exists exactly when the commit was applied.
      queries.push({
        query: this.statements.change,
        params: [encodeChanges(commit), p, commit.nextOffset],
      });
      const result = await this.tables.client.batch(queries, { prepare: true, logged: true });
      if (!result.wasApplied()) {
        const stored = result.first()?.next_offset;
        throw new StaleWriterError(p, commit.expectedNextOffset, nullableLong(stored));
      }
      if (folds) {
        journal.folded = commit.nextOffset;
        journal.commits = 0;
        journal.folds.push({ at: Date.now(), offset: commit.nextOffset });
      } else {
        journal.commits += 1;
      }
    } catch (error) {
      // Another writer may have moved the partition on: learn its journal again.
      this.journals.delete(p);
      throw error;
    }
    if (!this.known.has(p)) {
      await this.tables.client.execute(
        `INSERT INTO ${this.tables.partitions} (bucket, source_partition) VALUES (0, ?)`,
        [p],
        {
          prepare: true,
        },
      );
      this.known.add(p);
    }
  }

  /** Forgets what this writer knew of a partition's journal: it reads the head again before its next commit. */
  forget(partition: PartitionId): void {
    this.journals.delete(partition);
  }

  private async journalOf(partition: PartitionId): Promise<Journal> {
    let journal = this.journals.get(partition);
    if (journal === undefined) {
      const head = await this.reads.head(partition);
      // Partitions start their count apart, so that those committing in step do not fold at once (a
      // fold's read-back is the writer's biggest transient memory).
      journal = { folded: head.foldedOffset, commits: spread(partition) % this.options.foldEveryCommits, folds: [] };
      this.journals.set(partition, journal);
    }
    return journal;
  }

  /** RSVP states: one row per bucket the commit touched, not one per RSVP. */
  private bucketStatements(commit: PartitionCommit): Statement[] {
    const p = commit.partition;
    const queries: Statement[] = [];
    const latest = new Map((commit.rsvpBuckets ?? []).map((b) => [b.bucket, b.latest]));
    const byBucket = new Map<number, RsvpState[]>();
    for (const r of commit.rsvps) {
      const bucket = rsvpBucketOf(r.rsvpId);
      const states = byBucket.get(bucket) ?? [];
      states.push(r);
      byBucket.set(bucket, states);
      if (!latest.has(bucket) || (latest.get(bucket) as number) < r.mtime) latest.set(bucket, r.mtime);
    }
    for (const [bucket, states] of byBucket) {
      queries.push({
        query: this.statements.bucket,
        params: [encodeStates(states), latest.get(bucket), p, bucket, commit.nextOffset],
      });
    }
    for (const bucket of commit.wholeBuckets ?? []) {
      queries.push({ query: this.statements.bucketRowsBefore, params: [p, bucket, commit.nextOffset] });
    }
    for (const bucket of commit.expiredBuckets ?? []) {
      queries.push({ query: this.statements.bucketExpired, params: [p, bucket] });
    }
    return queries;
  }

  /**
   * The rows of everything changed since the last fold, this commit included: the latest value of each
   * venue, and each changed cell whole (its folded row merged with the changes). Change records folded
   * longer than `changeRetentionMs` ago go: the read sides have had their time to read them.
   */
  private async foldStatements(commit: PartitionCommit, journal: Journal): Promise<Statement[]> {
    const p = commit.partition;
    const changed = new PartitionCounts();
    await this.reads.overlayChanges(changed, p, journal.folded, commit.expectedNextOffset, true);
    changed.apply(commit);
    const queries: Statement[] = [];
    for (const { venueId, count, display: d } of changed.venueTotals()) {
      // A venue not shown since the last fold keeps the display its row has.
      queries.push(
        d === undefined
          ? { query: this.statements.venueCount, params: [count, p, venueId] }
          : {
              query: this.statements.venueShown,
              params: [count, d.venueName, d.groupCity, d.lat, d.lon, d.mtime, d.rsvpId, d.offset, p, venueId],
            },
      );
    }
    const cells = [...changed.cellCounts()];
    const stored = await Promise.all(cells.map((cell) => this.reads.cellRow(p, cell.window, cell.start)));
    cells.forEach((cell, i) => {
      const whole = new Map(stored[i]);
      for (const [venueId, count] of cell.counts) whole.set(venueId, count);
      queries.push({
        query: this.statements.cells,
        params: [this.windowTtlSeconds, encodeCellCounts(whole), p, cell.window, cell.start],
      });
    });
    const foldedBefore = Date.now() - this.options.changeRetentionMs;
    let drop: number | undefined;
    while ((journal.folds[0]?.at ?? Number.POSITIVE_INFINITY) <= foldedBefore) drop = journal.folds.shift()?.offset;
    if (drop !== undefined) queries.push({ query: this.statements.changesUpTo, params: [p, drop] });
    return queries;
  }
}

/** A number that differs between partitions, even between `rsvps:1` and `rsvps:2`: FNV-1a. */
function spread(partition: PartitionId): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < partition.length; i++) hash = Math.imul(hash ^ partition.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

interface Statement {
  readonly query: string;
  readonly params: unknown[];
}

/** The statements of a commit, on `table`. */
function statementsFor(table: string) {
  const venue = `WHERE source_partition = ? AND kind = 'venue' AND window = '' AND window_start = 0 AND id = ?`;
  return {
    position: `UPDATE ${table} SET next_offset = ?, max_event_time = ?, expired_bucket_max = ?, folded_offset = ? WHERE source_partition = ? IF next_offset = ?`,
    bucket: `UPDATE ${table} SET states = ?, latest = ? WHERE source_partition = ? AND kind = 'bucket' AND window = '' AND window_start = ? AND id = ?`,
    bucketRowsBefore: `DELETE FROM ${table} WHERE source_partition = ? AND kind = 'bucket' AND window = '' AND window_start = ? AND id < ?`,
    bucketExpired: `DELETE FROM ${table} WHERE source_partition = ? AND kind = 'bucket' AND window = '' AND window_start = ?`,
    venueCount: `UPDATE ${table} SET count = ? ${venue}`,
    venueShown: `UPDATE ${table} SET count = ?, venue_name = ?, group_city = ?, lat = ?, lon = ?, shown_mtime = ?, shown_rsvp_id = ?, shown_offset = ? ${venue}`,
    cells: `UPDATE ${table} USING TTL ? SET counts = ? WHERE source_partition = ? AND kind = 'cells' AND window = ? AND window_start = ? AND id = 0`,
    // No TTL: a record is the only copy of its commit's counts until a fold; folds delete them.
    change: `UPDATE ${table} SET changes = ? WHERE source_partition = ? AND kind = 'change' AND window = '' AND window_start = ? AND id = 0`,
    changesUpTo: `DELETE FROM ${table} WHERE source_partition = ? AND kind = 'change' AND window = '' AND window_start <= ?`,
  } as const;
}
