import type {
  ChangeRecord,
  CountChangeFeed,
  CountStore,
  LoadOptions,
  PartitionCommit,
  PartitionId,
  PartitionSnapshot,
  RsvpState,
  TopVenuesRequest,
  VenueCountQuery,
  VenueRow,
} from '@rsvp/core';
import cassandra, { type Client } from 'cassandra-driver';
import { type CassandraOptions, driverOptions, replicationCql } from './cassandra-options.js';
import { CassandraReads } from './cassandra-reads.js';
import { type Tables, tablesOf } from './cassandra-rows.js';
import { migrate } from './cassandra-schema.js';
import { CassandraWrites } from './cassandra-writes.js';

export interface CassandraCountStoreOptions {
  /** A connected client; the store shuts it down on `close`. */
  readonly client: Client;
  /** Holds the tables (`migrate` made them). */
  readonly keyspace: string;
  /** Repeated reads within this are answered from one round of queries. Default 500. */
  readonly queryCacheMs?: number | undefined;
  /** TTL of window cells; absent: they are kept. At least 1000. */
  readonly windowRetentionMs?: number | undefined;
  /** How long change records are kept once folded, for the read sides. Default 10 minutes; at least 1000. */
  readonly changeRetentionMs?: number | undefined;
  /** Every this many commits of a partition, its change records are folded into its rows. Default 16. */
  readonly foldEveryCommits?: number | undefined;
}

/**
 * Counts in Cassandra, exactly once: each commit is one conditional batch on the source partition's own
 * Cassandra partition, applied only if the stored next offset is the one the writer started from
 * (`CassandraWrites`); reads, and their cache, are `CassandraReads`; the rows, `cassandra-rows.ts`.
 */
export class CassandraCountStore implements CountStore, VenueCountQuery, CountChangeFeed {
  private readonly tables: Tables;
  private readonly writes: CassandraWrites;
  private readonly reads: CassandraReads;

  constructor(options: CassandraCountStoreOptions) {
    this.tables = tablesOf(options.client, options.keyspace);
    this.reads = new CassandraReads(
      this.tables,
      options.queryCacheMs ?? 500,
      options.windowRetentionMs ?? Number.POSITIVE_INFINITY,
    );
    this.writes = new CassandraWrites(
      this.tables,
      {
        windowRetentionMs: options.windowRetentionMs,
        changeRetentionMs: options.changeRetentionMs ?? 600_000,
        foldEveryCommits: options.foldEveryCommits ?? 16,
      },
      this.reads,
    );
  }

  load(partition: PartitionId, options: LoadOptions = {}): Promise<PartitionSnapshot> {
    // A writer loads a partition when it takes it over: another writer may have folded it since.
    this.writes.forget(partition);
    return this.reads.load(partition, options);
  }

  loadRsvpBuckets(partition: PartitionId, buckets: readonly number[]): Promise<RsvpState[]> {
    return this.reads.loadRsvpBuckets(partition, buckets);
  }

  commit(commit: PartitionCommit): Promise<void> {
    return this.writes.commit(commit);
  }

  loadCounts(partition: PartitionId): Promise<PartitionSnapshot> {
    return this.reads.load(partition, { rsvps: false });
  }

  changesSince(partition: PartitionId, afterOffset: number): Promise<ChangeRecord[]> {
    return this.reads.changesSince(partition, afterOffset);
  }

  /** Answers by reading and summing every partition's rows (see `MaintainedVenueQuery` for the maintained view). */
  topVenues(request: TopVenuesRequest): Promise<VenueRow[]> {
    return this.reads.topVenues(request);
  }

  latestEventTime(): Promise<number | null> {
    return this.reads.latestEventTime();
  }

  /** Every source partition written so far. */
  partitionIds(): Promise<PartitionId[]> {
    return this.reads.partitionIds();
  }

  /**
   * True when the keyspace answers a read at the configured consistency: on a cluster, when enough
   * replicas are up to read and commit (two of three at QUORUM), not merely when some node answers.
   */
  async isReady(): Promise<boolean> {
    try {
      await this.tables.client.execute(`SELECT bucket FROM ${this.tables.partitions} WHERE bucket = 0 LIMIT 1`, [], {
        prepare: true,
      });
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.tables.client.shutdown();
  }
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
  return new CassandraCountStore({
    client,
    keyspace: options.keyspace,
    queryCacheMs: options.queryCacheMs,
    windowRetentionMs: options.windowRetentionMs,
    changeRetentionMs: options.changeRetentionMs,
    foldEveryCommits: options.foldEveryCommits,
  });
}
