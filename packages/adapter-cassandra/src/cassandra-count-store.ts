import {
  type ChangeRecord,
  type CountChangeFeed,
  type CountStore,
  emptySnapshot,
  type LoadOptions,
  type PartitionCommit,
  type PartitionId,
  type PartitionSnapshot,
  type RsvpState,
  rsvpBucketOf,
  StaleWriterError,
  type TopVenuesRequest,
  type VenueCountQuery,
  VenueRanking,
  type VenueRow,
  type VenueTotal,
  type WindowCount,
  windowCells,
} from '@rsvp/core';
import cassandra, { type Client, type types } from 'cassandra-driver';
import { type CassandraOptions, driverOptions, replicationCql } from './cassandra-options.js';
import { migrate } from './cassandra-schema.js';

type Row = types.Row;
/** Buckets per lookup query (Cassandra's guardrails may limit the size of an IN list). */
const BUCKET_LOOKUP_CHUNK = 100;
const LONG = (value: unknown): number => Number(value as bigint | number | types.Long);
const nullableLong = (value: unknown): number | null => (value === null || value === undefined ? null : LONG(value));

/**
 * Counts in Cassandra, exactly once: each commit is one conditional batch on the source partition's own
 * Cassandra partition, applied only if the stored next offset is the one the writer started from.
 */
export class CassandraCountStore implements CountStore, VenueCountQuery, CountChangeFeed {
  private readonly table: string;
  private readonly partitionsTable: string;
  private readonly known = new Set<PartitionId>();
  /** 0: no TTL. */
  private readonly windowTtlSeconds: number;
  private readonly changeTtlSeconds: number;
  private cache = new Map<string, CacheEntry>();

  constructor(
    private readonly client: Client,
    keyspace: string,
    private readonly queryCacheMs = 500,
    windowRetentionMs?: number,
    changeRetentionMs = 600_000,
  ) {
    if (windowRetentionMs !== undefined && !(windowRetentionMs >= 1000)) {
      throw new RangeError('windowRetentionMs must be at least 1000');
    }
    if (!(changeRetentionMs >= 1000)) throw new RangeError('changeRetentionMs must be at least 1000');
    this.windowTtlSeconds = windowRetentionMs === undefined ? 0 : Math.ceil(windowRetentionMs / 1000);
    this.changeTtlSeconds = Math.ceil(changeRetentionMs / 1000);
    this.table = `${keyspace}.partition_state`;
    this.partitionsTable = `${keyspace}.source_partitions`;
  }

  async load(partition: PartitionId, options: LoadOptions = {}): Promise<PartitionSnapshot> {
    const venues: VenueTotal[] = [];
    const windows: WindowCount[] = [];
    // The position first: rows written after it make the next commit fail its condition (and reload),
    // where a position newer than the rows would let a commit build on stale counts.
    const [head] = await this.rows(
      `SELECT next_offset, max_event_time, expired_bucket_max FROM ${this.table} WHERE source_partition = ? LIMIT 1`,
      [partition],
    );
    const nextOffset = nullableLong(head?.next_offset) ?? 0;
    const maxEventTime = nullableLong(head?.max_event_time);
    const [old] = await this.rows(`SELECT id FROM ${this.table} WHERE source_partition = ? AND kind = 'rsvp' LIMIT 1`, [
      partition,
    ]);
    if (old !== undefined) {
      throw new Error(
        `partition ${partition} was written by an earlier @rsvp (a row per RSVP): count into a new keyspace`,
      );
    }
    const buckets = new Map<number, number>();
    const rsvps = new Map<number, RsvpState>();
    const bucketQuery = `SELECT window_start, latest${options.rsvps === false ? '' : ', states'} FROM ${this.table} WHERE source_partition = ? AND kind = 'bucket'`;
    for await (const row of this.pages(bucketQuery, [partition])) {
      const bucket = LONG(row.window_start);
      buckets.set(bucket, Math.max(buckets.get(bucket) ?? Number.NEGATIVE_INFINITY, LONG(row.latest)));
      if (typeof row.states === 'string') for (const state of decodeStates(row.states)) rsvps.set(state.rsvpId, state);
    }
    // Kinds sort as bucket < change < rsvp < venue < window: counts are one slice of the partition.
    const query = `SELECT kind, window, window_start, id, count, venue_name, group_city, lat, lon, shown_mtime,
      shown_rsvp_id, shown_offset FROM ${this.table} WHERE source_partition = ? AND kind >= 'venue'`;
    for await (const row of this.pages(query, [partition])) {
      const id = row.id === null ? 0 : LONG(row.id);
      if (row.kind === 'venue') {
        venues.push(venueTotal(row));
      } else if (row.kind === 'window') {
        windows.push({ window: row.window, start: LONG(row.window_start), venueId: id, count: row.count });
      }
    }
    if (nextOffset === 0 && buckets.size + venues.length + windows.length === 0) return emptySnapshot(partition);
    return {
      partition,
      nextOffset,
      maxEventTime,
      rsvps: [...rsvps.values()],
      rsvpBuckets: [...buckets].map(([bucket, latest]) => ({ bucket, latest })),
      expiredBucketMax: nullableLong(head?.expired_bucket_max),
      venues,
      windows,
    };
  }

  async loadRsvpBuckets(partition: PartitionId, buckets: readonly number[]): Promise<RsvpState[]> {
    const chunks: number[][] = [];
    for (let i = 0; i < buckets.length; i += BUCKET_LOOKUP_CHUNK)
      chunks.push(buckets.slice(i, i + BUCKET_LOOKUP_CHUNK));
    const found = await Promise.all(
      chunks.map((ids) =>
        this.rows(
          `SELECT id, states FROM ${this.table} WHERE source_partition = ? AND kind = 'bucket' AND window = '' AND window_start IN ?`,
          [partition, ids],
        ),
      ),
    );
    // A bucket's rows come in commit order (clustering by offset): later states replace earlier ones.
    const states = new Map<number, RsvpState>();
    for (const row of found.flat()) for (const state of decodeStates(row.states)) states.set(state.rsvpId, state);
    return [...states.values()];
  }

  async commit(commit: PartitionCommit): Promise<void> {
    const p = commit.partition;
    const queries: { query: string; params: unknown[] }[] = [
      {
        query: `UPDATE ${this.table} SET next_offset = ?, max_event_time = ?, expired_bucket_max = ? WHERE source_partition = ? IF next_offset = ?`,
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
        query: `UPDATE ${this.table} SET states = ?, latest = ? WHERE source_partition = ? AND kind = 'bucket' AND window = '' AND window_start = ? AND id = ?`,
        params: [encodeStates(states), latest.get(bucket), p, bucket, commit.nextOffset],
      });
    }
    for (const bucket of commit.wholeBuckets ?? []) {
      queries.push({
        query: `DELETE FROM ${this.table} WHERE source_partition = ? AND kind = 'bucket' AND window = '' AND window_start = ? AND id < ?`,
        params: [p, bucket, commit.nextOffset],
      });
    }
    for (const bucket of commit.expiredBuckets ?? []) {
      queries.push({
        query: `DELETE FROM ${this.table} WHERE source_partition = ? AND kind = 'bucket' AND window = '' AND window_start = ?`,
        params: [p, bucket],
      });
    }
    for (const v of commit.venues) {
      const d = v.display;
      queries.push({
        query: `UPDATE ${this.table} SET count = ?, venue_name = ?, group_city = ?, lat = ?, lon = ?, shown_mtime = ?, shown_rsvp_id = ?, shown_offset = ? WHERE source_partition = ? AND kind = 'venue' AND window = '' AND window_start = 0 AND id = ?`,
        params: [v.count, d.venueName, d.groupCity, d.lat, d.lon, d.mtime, d.rsvpId, d.offset, p, v.venueId],
      });
    }
    for (const w of commit.windows) {
      queries.push({
        query: `UPDATE ${this.table} USING TTL ? SET count = ? WHERE source_partition = ? AND kind = 'window' AND window = ? AND window_start = ? AND id = ?`,
        params: [this.windowTtlSeconds, w.count, p, w.window, w.start, w.venueId],
      });
    }
    // The change record, in the same conditional batch: it exists exactly when the commit was applied.
    queries.push({
      query: `UPDATE ${this.table} USING TTL ? SET changes = ? WHERE source_partition = ? AND kind = 'change' AND window = '' AND window_start = ? AND id = 0`,
      params: [this.changeTtlSeconds, encodeChanges(commit), p, commit.nextOffset],
    });
    const result = await this.client.batch(queries, { prepare: true, logged: true });
    if (!result.wasApplied()) {
      const stored = result.first()?.next_offset;
      throw new StaleWriterError(p, commit.expectedNextOffset, nullableLong(stored));
    }
    if (!this.known.has(p)) {
      await this.client.execute(`INSERT INTO ${this.partitionsTable} (bucket, source_partition) VALUES (0, ?)`, [p], {
        prepare: true,
      });
      this.known.add(p);
    }
  }

  loadCounts(partition: PartitionId): Promise<PartitionSnapshot> {
    return this.load(partition, { rsvps: false });
  }

  async changesSince(partition: PartitionId, afterOffset: number): Promise<ChangeRecord[]> {
    const records: ChangeRecord[] = [];
    for await (const row of this.pages(
      `SELECT window_start, changes FROM ${this.table} WHERE source_partition = ? AND kind = 'change' AND window = '' AND window_start > ?`,
      [partition, afterOffset],
    )) {
      if (typeof row.changes === 'string') records.push(decodeChanges(partition, LONG(row.window_start), row.changes));
    }
    return records;
  }

  /** Answers by reading and summing every partition's rows (see `MaintainedVenueQuery` for the maintained view). */
  topVenues(request: TopVenuesRequest): Promise<VenueRow[]> {
    const key = JSON.stringify(request);
    return this.cached(key, async () => {
      const { window } = request;
      // A window is the sum of its cells: its panes (one range of starts) and its late correction.
      const ranges = new Map<string, { from: number; to: number }>();
      for (const cell of window === undefined ? [] : windowCells(window, window.start)) {
        const range = ranges.get(cell.window);
        ranges.set(cell.window, {
          from: Math.min(range?.from ?? cell.start, cell.start),
          to: Math.max(range?.to ?? cell.start, cell.start),
        });
      }
      const ranking = new VenueRanking();
      // The partitions are read at the same time: the answer's latency is the slowest one's, not the sum.
      const reads = (await this.partitionIds()).map(async (partition) => {
        const [venueRows, ...cellRows] = await Promise.all([
          this.rows(
            `SELECT id, count, venue_name, group_city, lat, lon, shown_mtime, shown_rsvp_id, shown_offset FROM ${this.table} WHERE source_partition = ? AND kind = 'venue'`,
            [partition],
          ),
          ...[...ranges].map(([name, { from, to }]) =>
            this.rows(
              `SELECT id, count FROM ${this.table} WHERE source_partition = ? AND kind = 'window' AND window = ? AND window_start >= ? AND window_start <= ?`,
              [partition, name, from, to],
            ),
          ),
        ]);
        for (const row of venueRows) {
          const venue = venueTotal(row);
          if (window === undefined) ranking.addCount(venue.venueId, venue.count);
          ranking.addDisplay(venue.venueId, venue.display);
        }
        for (const row of cellRows.flat()) ranking.addCount(LONG(row.id), row.count);
      });
      await Promise.all(reads);
      return ranking.top(request.limit);
    });
  }

  latestEventTime(): Promise<number | null> {
    return this.cached('latestEventTime', async () => {
      let latest: number | null = null;
      const reads = (await this.partitionIds()).map(async (partition) => {
        const [row] = await this.rows(`SELECT max_event_time FROM ${this.table} WHERE source_partition = ? LIMIT 1`, [
          partition,
        ]);
        const t = nullableLong(row?.max_event_time);
        if (t !== null && (latest === null || t > latest)) latest = t;
      });
      await Promise.all(reads);
      return latest;
    });
  }

  /**
   * True when the keyspace answers a read at the configured consistency: on a cluster, when enough
   * replicas are up to read and commit (two of three at QUORUM), not merely when some node answers.
   */
  async isReady(): Promise<boolean> {
    try {
      await this.client.execute(`SELECT bucket FROM ${this.partitionsTable} WHERE bucket = 0 LIMIT 1`, [], {
        prepare: true,
      });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.client.shutdown();
  }

  /** Every source partition written so far. */
  async partitionIds(): Promise<PartitionId[]> {
    const rows = await this.rows(`SELECT source_partition FROM ${this.partitionsTable} WHERE bucket = 0`, []);
    return rows.map((row) => row.source_partition as string);
  }

  private async rows(query: string, params: unknown[]): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const row of this.pages(query, params)) rows.push(row);
    return rows;
  }

  /** Every row of a query, a page at a time. */
  private async *pages(query: string, params: unknown[]): AsyncGenerator<Row> {
    let pageState: string | undefined;
    do {
      const result = await this.client.execute(query, params, {
        prepare: true,
        fetchSize: 5_000,
        ...(pageState && { pageState }),
      });
      yield* result.rows;
      pageState = result.pageState ?? undefined;
    } while (pageState);
  }

  /**
   * Answers repeated reads within `queryCacheMs` from one round of queries. Past that, an answer is
   * reused as long as no partition has been written since it was read: a few one-row reads of the commit
   * timestamps instead of reading every venue again.
   */
  private cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    const now = performance.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.queryCacheMs) return hit.value as Promise<T>;
    if (this.cache.size > 1_000) this.cache = new Map();
    const entry: CacheEntry = { at: now, version: '', value: Promise.resolve() };
    entry.value = (async () => {
      // Read before the answer: a commit in between makes the next check read again, never serve stale.
      entry.version = await this.version();
      return hit !== undefined && hit.version === entry.version ? hit.value : read();
    })();
    this.cache.set(key, entry);
    entry.value.catch(() => this.cache.delete(key));
    return entry.value as Promise<T>;
  }

  /** Changes with every commit: the partitions and the write time of each one's offset (unique per LWT). */
  private async version(): Promise<string> {
    const partitions = await this.partitionIds();
    const stamps = await Promise.all(
      partitions.map(async (partition) => {
        const [row] = await this.rows(
          `SELECT writetime(next_offset) AS written FROM ${this.table} WHERE source_partition = ? LIMIT 1`,
          [partition],
        );
        return `${partition}@${String(row?.written ?? '')}`;
      }),
    );
    return `v:${stamps.join(',')}`;
  }
}

interface CacheEntry {
  at: number;
  version: string;
  value: Promise<unknown>;
}

/** A bucket's changed states as stored: `[[rsvpId, mtime, venueId or null], …]`. */
function encodeStates(states: readonly RsvpState[]): string {
  return JSON.stringify(states.map((s) => [s.rsvpId, s.mtime, s.venueId]));
}

function decodeStates(text: string): RsvpState[] {
  return (JSON.parse(text) as [number, number, number | null][]).map(([rsvpId, mtime, venueId]) => ({
    rsvpId,
    mtime,
    venueId,
  }));
}

/** A change record as stored: compact JSON arrays (venue: id, count, then the display; cell: name, start, venue, count). */
function encodeChanges(commit: PartitionCommit): string {
  return JSON.stringify({
    p: commit.expectedNextOffset,
    e: commit.maxEventTime,
    v: commit.venues.map(({ venueId, count, display: d }) => [
      venueId,
      count,
      d.venueName,
      d.groupCity,
      d.lat,
      d.lon,
      d.mtime,
      d.rsvpId,
      d.offset,
    ]),
    w: commit.windows.map((w) => [w.window, w.start, w.venueId, w.count]),
  });
}

function decodeChanges(partition: PartitionId, nextOffset: number, text: string): ChangeRecord {
  const stored = JSON.parse(text) as {
    p: number;
    e: number | null;
    v: [number, number, string, string, number, number, number, number, number][];
    w: [string, number, number, number][];
  };
  return {
    partition,
    previousOffset: stored.p,
    nextOffset,
    maxEventTime: stored.e,
    venues: stored.v.map(([venueId, count, venueName, groupCity, lat, lon, mtime, rsvpId, offset]) => ({
      venueId,
      count,
      display: { venueName, groupCity, lat, lon, mtime, rsvpId, offset },
    })),
    windows: stored.w.map(([window, start, venueId, count]) => ({ window, start, venueId, count })),
  };
}

function venueTotal(row: Row): VenueTotal {
  return {
    venueId: LONG(row.id),
    count: row.count,
    display: {
      venueName: row.venue_name,
      groupCity: row.group_city,
      lat: row.lat,
      lon: row.lon,
      mtime: LONG(row.shown_mtime),
      rsvpId: LONG(row.shown_rsvp_id),
      offset: LONG(row.shown_offset),
    },
  };
}

/** Connects, creates the keyspace and tables if missing, and returns the store. */
export async function createCassandraCountStore(options: CassandraOptions): Promise<CassandraCountStore> {
  const client = new cassandra.Client(driverOptions(options));
  try {
    await client.connect();
    await migrate(client, options.keyspace, replicationCql(options.replication ?? 'SimpleStrategy:1'));
  } catch (error) {
    await client.shutdown().catch(() => {});
    throw error;
  }
  return new CassandraCountStore(
    client,
    options.keyspace,
    options.queryCacheMs,
    options.windowRetentionMs,
    options.changeRetentionMs,
  );
}
