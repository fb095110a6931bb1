import type { Client } from 'cassandra-driver';

/**
 * One Cassandra partition per source partition holds everything the pipeline needs to resume it and
 * everything the API reads: the next offset and greatest event time (static columns), then rows of three
 * kinds — `venue` (all-time count and display), `window` (count of a venue in one window), `rsvp` (the
 * latest message's mtime and the venue it counts at). Keeping them together lets one conditional batch
 * move counts and offset atomically, fenced by the offset. Each commit also writes a `change` row (at
 * `window_start` = its next offset, with a TTL): what it changed, as JSON, for the maintained read sides.
 * Rows here are only ever overwritten or expire (never deleted), so a short `gc_grace_seconds` cannot
 * bring anything back; it keeps expired change and window rows from piling up as tombstones.
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

/** Creates what is missing; safe to run at every start, by several processes at once. */
export async function migrate(client: Client, keyspace: string, replication: string): Promise<void> {
  for (const statement of schemaStatements(keyspace, replication)) {
    await client.execute(statement, [], { prepare: false });
  }
  // A table made before change records existed gains their column.
  const found = await client.execute(
    "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = 'partition_state' AND column_name = 'changes'",
    [keyspace],
    { prepare: true },
  );
  if (found.rowLength === 0) {
    await client.execute(`ALTER TABLE ${keyspace}.partition_state ADD changes text`, [], { prepare: false });
  }
}
