import type { Client } from 'cassandra-driver';

/**
 * One Cassandra partition per source partition holds everything the pipeline needs to resume it and
 * everything the API reads: the next offset, greatest event time, greatest expired RSVP bucket and the
 * offset its journal is folded to (static columns), then rows of these kinds — `bucket` (at `window_start` =
 * an RSVP bucket and `id` = the commit's next offset: the states of that bucket the commit changed, as JSON,
 * and the bucket's latest activity; a bucket is all its rows, folded in order, and goes as a whole when it
 * expires), `change` (at `window_start` = a commit's next offset: what the commit changed, as JSON — the
 * journal), `venue` (all-time count and display) and `cells` (one window cell — a pane or a late
 * correction — with every venue's count in it, as JSON, with a TTL). Venue and cell rows are written by
 * folds, every few commits, from the change records since the last fold; until then a reader overlays
 * those records on the rows. `window` rows (a row per venue and cell) are what earlier versions wrote:
 * still read, no longer written. Keeping them together lets one conditional batch move counts and offset
 * atomically, fenced by the offset. The only deletes are of RSVP buckets and of change records folded long
 * ago (range deletes); a short `gc_grace_seconds` keeps expired window rows from piling up as tombstones.
 */
export function schemaStatements(keyspace: string, replication: string): string[] {
  return [
    `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = ${replication}`,
    `CREATE TABLE IF NOT EXISTS ${keyspace}.partition_state (
      source_partition text,
      kind text,
      window text,
      window_start bigint,
      id bigint,
      next_offset bigint STATIC,
      max_event_time bigint STATIC,
      count int,
      venue_name text,
      group_city text,
      lat double,
      lon double,
      shown_mtime bigint,
      shown_rsvp_id bigint,
      shown_offset bigint,
      mtime bigint,
      venue_id bigint,
      changes text,
      states text,
      latest bigint,
      expired_bucket_max bigint STATIC,
      folded_offset bigint STATIC,
      counts text,
      PRIMARY KEY ((source_partition), kind, window, window_start, id)
    ) WITH gc_grace_seconds = 3600`,
    // The partitions the query side sums over; bucket 0 holds them all (a few thousand at most).
    `CREATE TABLE IF NOT EXISTS ${keyspace}.source_partitions (
      bucket int,
      source_partition text,
      PRIMARY KEY (bucket, source_partition)
    )`,
  ];
}

/** Columns later versions added, for tables made before them. */
const ADDED_COLUMNS = [
  ['changes', 'text'],
  ['states', 'text'],
  ['latest', 'bigint'],
  ['expired_bucket_max', 'bigint static'],
  ['folded_offset', 'bigint static'],
  ['counts', 'text'],
] as const;

/** Creates what is missing; safe to run at every start, by several processes at once. */
export async function migrate(client: Client, keyspace: string, replication: string): Promise<void> {
  for (const statement of schemaStatements(keyspace, replication)) {
    await client.execute(statement, [], { prepare: false });
  }
  // A table made by an earlier version gains the columns it lacks.
  const found = await client.execute(
    "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = 'partition_state'",
    [keyspace],
    { prepare: true },
  );
  const columns = new Set(found.rows.map((row) => row.column_name as string));
  for (const [column, type] of ADDED_COLUMNS) {
    if (!columns.has(column)) {
      await client.execute(`ALTER TABLE ${keyspace}.partition_state ADD ${column} ${type}`, [], { prepare: false });
    }
  }
}
