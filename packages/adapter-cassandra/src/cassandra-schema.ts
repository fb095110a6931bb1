import type { Client } from 'cassandra-driver';

/**
 * One Cassandra partition per source partition holds everything the pipeline needs to resume it and
 * everything the API reads: the next offset and greatest event time (static columns), then rows of three
 * kinds — `venue` (all-time count and display), `window` (count of a venue in one window), `rsvp` (the
 * latest message's mtime and the venue it counts at). Keeping them together lets one conditional batch
 * move counts and offset atomically, fenced by the offset.
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
      PRIMARY KEY ((source_partition), kind, window, window_start, id)
    )`,
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
}
