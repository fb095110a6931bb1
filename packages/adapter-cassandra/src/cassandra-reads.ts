import {
  type ChangeRecord,
  emptySnapshot,
  type LoadOptions,
  type PartitionId,
  type PartitionSnapshot,
  type RsvpState,
  type TopVenuesRequest,
  VenueRanking,
  type VenueRow,
  windowCells,
} from '@rsvp/core';
import {
  decodeChanges,
  decodeStates,
  LONG,
  nullableLong,
  pages,
  type Row,
  rows,
  type Tables,
  venueTotal,
  visitChanges,
} from './cassandra-rows.js';
import { decodeCellCounts, PartitionCounts } from './partition-counts.js';

/**
 * Change records per page: they are large rows (up to a few hundred KB at 100,000 venues), and since they
 * live until folded, a reader far behind may ask for many; a page of the default 5,000 could pass the
 * protocol's frame limit.
 */
const CHANGE_RECORDS_PER_PAGE = 8;

/** Buckets per lookup query (Cassandra's guardrails may limit the size of an IN list). */
const BUCKET_LOOKUP_CHUNK = 100;

/** The read side: partitions for the pipeline, change records for a maintained view, and summed answers with their cache. */
export class CassandraReads {
  private readonly table: string;
  private cache = new Map<string, CacheEntry>();

  constructor(
    private readonly tables: Tables,
    private readonly queryCacheMs: number,
    /** Window cells expire this long after their write; infinite when they are kept. */
    private readonly windowRetentionMs: number,
  ) {
    this.table = tables.state;
  }

  async load(partition: PartitionId, options: LoadOptions = {}): Promise<PartitionSnapshot> {
    // The position first: rows written after it make the next commit fail its condition (and reload),
    // where a position newer than the rows would let a commit build on stale counts.
    const head = await this.head(partition);
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
    const counts = await this.counts(partition, head, 'all');
    const venues = counts.venueTotals();
    const windows = counts.windowCounts();
    if (head.nextOffset === 0 && buckets.size + venues.length + windows.length === 0) return emptySnapshot(partition);
    return {
      partition,
      nextOffset: head.nextOffset,
      maxEventTime: head.maxEventTime,
      rsvps: [...rsvps.values()],
      rsvpBuckets: [...buckets].map(([bucket, latest]) => ({ bucket, latest })),
      expiredBucketMax: head.expiredBucketMax,
      venues,
      windows,
    };
  }

  /** The static columns: where the partition stands and how far its journal is folded into its rows. */
  async head(partition: PartitionId): Promise<Head> {
    const [row] = await this.rows(
      `SELECT next_offset, max_event_time, expired_bucket_max, folded_offset FROM ${this.table} WHERE source_partition = ? LIMIT 1`,
      [partition],
    );
    const nextOffset = nullableLong(row?.next_offset) ?? 0;
    return {
      nextOffset,
      maxEventTime: nullableLong(row?.max_event_time),
      expiredBucketMax: nullableLong(row?.expired_bucket_max),
      // A partition written before the journal has every commit in its rows.
      foldedOffset: nullableLong(row?.folded_offset) ?? nextOffset,
    };
  }

  /**
   * The partition's counts at `head`: the folded venue and cell rows, overlaid by the change records after
   * the fold up to the head's offset. Cells: all of them, none, or those of some ranges of starts by cell
   * name (records' cells outside them are left to the caller); a record's cells older than the window
   * retention are left out, as their rows would have expired.
   */
  async counts(partition: PartitionId, head: Head, cells: 'all' | 'none' | CellRanges): Promise<PartitionCounts> {
    const counts = new PartitionCounts();
    const setCell = (row: Row) => counts.cell(row.window, LONG(row.window_start), LONG(row.id), row.count);
    const setVenue = (row: Row) => {
      const { venueId, count, display } = venueTotal(row);
      counts.venue(venueId, count, display);
    };
    const setCells = (row: Row) => {
      if (typeof row.counts !== 'string') return;
      const start = LONG(row.window_start);
      for (const [venueId, count] of decodeCellCounts(row.counts)) counts.cell(row.window, start, venueId, count);
    };
    const venueColumns = `kind, window, window_start, id, count, venue_name, group_city, lat, lon, shown_mtime,
      shown_rsvp_id, shown_offset`;
    const cellRows = `SELECT window, window_start, counts FROM ${this.table} WHERE source_partition = ? AND kind = 'cells'`;
    if (cells === 'all') {
      // Kinds sort as bucket < cells < change < rsvp < venue < window: venue rows (and the window rows of
      // earlier versions, a row per venue and cell) are one slice of the partition.
      for await (const row of this.pages(
        `SELECT ${venueColumns} FROM ${this.table} WHERE source_partition = ? AND kind >= 'venue'`,
        [partition],
      )) {
        if (row.kind === 'venue') setVenue(row);
        else if (row.kind === 'window') setCell(row);
      }
      for await (const row of this.pages(cellRows, [partition])) setCells(row);
    } else {
      const ranged = cells === 'none' ? [] : [...cells];
      const [venueRows, ...rangeRows] = await Promise.all([
        this.rows(`SELECT ${venueColumns} FROM ${this.table} WHERE source_partition = ? AND kind = 'venue'`, [
          partition,
        ]),
        ...ranged.flatMap(([name, { from, to }]) =>
          ['window', 'cells'].map((kind) =>
            this.rows(
              `SELECT id, window, window_start, count, counts FROM ${this.table} WHERE source_partition = ? AND kind = '${kind}' AND window = ? AND window_start >= ? AND window_start <= ?`,
              [partition, name, from, to],
            ),
          ),
        ),
      ]);
      for (const row of venueRows) setVenue(row);
      // Window rows of earlier versions first: a folded cell row is newer.
      rangeRows.forEach((found, i) => {
        for (const row of found) (i % 2 === 0 ? setCell : setCells)(row);
      });
    }
    await this.overlayChanges(counts, partition, head.foldedOffset, head.nextOffset, cells !== 'none');
    return counts;
  }

  /** Applies the change records of the commits in (`after`, `upTo`], in order, over `counts`. */
  async overlayChanges(
    counts: PartitionCounts,
    partition: PartitionId,
    after: number,
    upTo: number,
    withCells: boolean,
  ): Promise<void> {
    if (after >= upTo) return;
    const cellsFrom = Date.now() - this.windowRetentionMs;
    for await (const row of this.pages(
      `SELECT changes, writetime(changes) AS written FROM ${this.table} WHERE source_partition = ? AND kind = 'change' AND window = '' AND window_start > ? AND window_start <= ?`,
      [partition, after, upTo],
      CHANGE_RECORDS_PER_PAGE,
    )) {
      if (typeof row.changes === 'string') {
        visitChanges(row.changes, counts, withCells && LONG(row.written) / 1000 >= cellsFrom);
      }
    }
  }

  /** The folded counts of one window cell. */
  async cellRow(partition: PartitionId, window: string, start: number): Promise<[number, number][]> {
    const [row] = await this.rows(
      `SELECT counts FROM ${this.table} WHERE source_partition = ? AND kind = 'cells' AND window = ? AND window_start = ? AND id = 0`,
      [partition, window, start],
    );
    return typeof row?.counts === 'string' ? decodeCellCounts(row.counts) : [];
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

  async changesSince(partition: PartitionId, afterOffset: number): Promise<ChangeRecord[]> {
    const records: ChangeRecord[] = [];
    for await (const row of this.pages(
      `SELECT window_start, changes FROM ${this.table} WHERE source_partition = ? AND kind = 'change' AND window = '' AND window_start > ?`,
      [partition, afterOffset],
      CHANGE_RECORDS_PER_PAGE,
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
      const ranges: CellRanges = new Map();
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
        const counts = await this.counts(partition, await this.head(partition), window === undefined ? 'none' : ranges);
        for (const venue of counts.venueTotals()) {
          if (window === undefined) ranking.addCount(venue.venueId, venue.count);
          if (venue.display !== undefined) ranking.addDisplay(venue.venueId, venue.display);
        }
        for (const cell of counts.cellCounts()) {
          const range = ranges.get(cell.window);
          if (range === undefined || cell.start < range.from || cell.start > range.to) continue;
          for (const [venueId, count] of cell.counts) ranking.addCount(venueId, count);
        }
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

  /** Every source partition written so far. */
  async partitionIds(): Promise<PartitionId[]> {
    const rows = await this.rows(`SELECT source_partition FROM ${this.tables.partitions} WHERE bucket = 0`, []);
    return rows.map((row) => row.source_partition as string);
  }

  private rows(query: string, params: unknown[]): Promise<Row[]> {
    return rows(this.tables.client, query, params);
  }

  private pages(query: string, params: unknown[], fetchSize?: number): AsyncGenerator<Row> {
    return pages(this.tables.client, query, params, fetchSize);
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

/** Ranges of window starts, by cell name. */
type CellRanges = Map<string, { from: number; to: number }>;

/** The static columns of a partition. */
export interface Head {
  readonly nextOffset: number;
  readonly maxEventTime: number | null;
  readonly expiredBucketMax: number | null;
  /** Commits up to this offset are in the venue and cell rows; those after it only in their change records. */
  readonly foldedOffset: number;
}

interface CacheEntry {
  at: number;
  version: string;
  value: Promise<unknown>;
}
