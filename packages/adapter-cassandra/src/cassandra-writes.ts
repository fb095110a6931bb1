import { type PartitionCommit, type PartitionId, type RsvpState, rsvpBucketOf, StaleWriterError } from '@rsvp/core';
import { encodeChanges, encodeStates, nullableLong, type Tables } from './cassandra-rows.js';

export interface WriteOptions {
  /** TTL of window cells; absent: none. */
  readonly windowRetentionMs?: number | undefined;
  /** TTL of change records. */
  readonly changeRetentionMs: number;
}

/**
 * The write side: each commit is one conditional batch on the source partition's own Cassandra partition,
 * applied only if the stored next offset is the one the writer started from.
 */
export class CassandraWrites {
  private readonly known = new Set<PartitionId>();
  /** 0: no TTL. */
  private readonly windowTtlSeconds: number;
  private readonly changeTtlSeconds: number;
  /**
   * The statements, made once: the driver finds a prepared statement by its text, and a string made anew
   * for each of a commit's thousands of statements would be hashed anew each time.
   */
  private readonly statements: ReturnType<typeof statementsFor>;

  constructor(
    private readonly tables: Tables,
    options: WriteOptions,
  ) {
    const { windowRetentionMs, changeRetentionMs } = options;
    if (windowRetentionMs !== undefined && !(windowRetentionMs >= 1000)) {
      throw new RangeError('windowRetentionMs must be at least 1000');
    }
    if (!(changeRetentionMs >= 1000)) throw new RangeError('changeRetentionMs must be at least 1000');
    this.windowTtlSeconds = windowRetentionMs === undefined ? 0 : Math.ceil(windowRetentionMs / 1000);
    this.changeTtlSeconds = Math.ceil(changeRetentionMs / 1000);
    this.statements = statementsFor(tables.state);
  }

  async commit(commit: PartitionCommit): Promise<void> {
    const p = commit.partition;
    const queries: { query: string; params: unknown[] }[] = [
      {
        query: this.statements.position,
        // A partition never written has no offset: null stands for 0.
        params: [
          commit.nextOffset,
          commit.maxEventTime,
          commit.expiredBucketMax ?? null,
          p,
          commit.expectedNextOffset === 0 ? null : commit.expectedNextOffset,
        ],
      },
    ];
    // RSVP states: one row per bucket the commit touched, not one per RSVP.
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
      queries.push({
        query: this.statements.bucketRowsBefore,
        params: [p, bucket, commit.nextOffset],
      });
    }
    for (const bucket of commit.expiredBuckets ?? []) {
      queries.push({
        query: this.statements.bucketExpired,
        params: [p, bucket],
      });
    }
    for (const v of commit.venues) {
      const d = v.display;
      // Most changed venues only moved their count: their row keeps the display written before.
      queries.push(
        d === undefined
          ? {
              query: this.statements.venueCount,
              params: [v.count, p, v.venueId],
            }
          : {
              query: this.statements.venueShown,
              params: [v.count, d.venueName, d.groupCity, d.lat, d.lon, d.mtime, d.rsvpId, d.offset, p, v.venueId],
            },
      );
    }
    for (const w of commit.windows) {
      queries.push({
        query: this.statements.cell,
        params: [this.windowTtlSeconds, w.count, p, w.window, w.start, w.venueId],
      });
    }
    // The change record, in the same conditional batch: it exists exactly when the commit was applied.
    queries.push({
      query: this.statements.change,
      params: [this.changeTtlSeconds, encodeChanges(commit), p, commit.nextOffset],
    });
    const result = await this.tables.client.batch(queries, { prepare: true, logged: true });
    if (!result.wasApplied()) {
      const stored = result.first()?.next_offset;
      throw new StaleWriterError(p, commit.expectedNextOffset, nullableLong(stored));
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
}

/** The statements of a commit, on `table`. */
function statementsFor(table: string) {
  const venue = `WHERE source_partition = ? AND kind = 'venue' AND window = '' AND window_start = 0 AND id = ?`;
  return {
    position: `UPDATE ${table} SET next_offset = ?, max_event_time = ?, expired_bucket_max = ? WHERE source_partition = ? IF next_offset = ?`,
    bucket: `UPDATE ${table} SET states = ?, latest = ? WHERE source_partition = ? AND kind = 'bucket' AND window = '' AND window_start = ? AND id = ?`,
    bucketRowsBefore: `DELETE FROM ${table} WHERE source_partition = ? AND kind = 'bucket' AND window = '' AND window_start = ? AND id < ?`,
    bucketExpired: `DELETE FROM ${table} WHERE source_partition = ? AND kind = 'bucket' AND window = '' AND window_start = ?`,
    venueCount: `UPDATE ${table} SET count = ? ${venue}`,
    venueShown: `UPDATE ${table} SET count = ?, venue_name = ?, group_city = ?, lat = ?, lon = ?, shown_mtime = ?, shown_rsvp_id = ?, shown_offset = ? ${venue}`,
    cell: `UPDATE ${table} USING TTL ? SET count = ? WHERE source_partition = ? AND kind = 'window' AND window = ? AND window_start = ? AND id = ?`,
    change: `UPDATE ${table} USING TTL ? SET changes = ? WHERE source_partition = ? AND kind = 'change' AND window = '' AND window_start = ? AND id = 0`,
  } as const;
}
