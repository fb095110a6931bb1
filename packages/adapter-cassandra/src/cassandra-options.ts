import cassandra, { type ClientOptions } from 'cassandra-driver';

export interface CassandraOptions {
  /** `host` or `host:port`; port 9042 when absent. */
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
  readonly keyspace: string;
  /** `SimpleStrategy:1` (one node) or `NetworkTopologyStrategy:dc1=3,dc2=3` (clusters). */
  readonly replication?: string;
  readonly credentials?: { readonly username: string; readonly password: string };
  /**
   * TLS to the nodes; `true` for the system's trusted certificates, `{ ca }` for a private CA's (PEM). The
   * nodes' certificates are verified (the driver's own default is not to) unless `rejectUnauthorized: false`.
   */
  readonly tls?: boolean | { readonly ca?: string; readonly rejectUnauthorized?: boolean };
  /** How long the query side may answer from its last read (default 500 ms; 0 reads every time). */
  readonly queryCacheMs?: number;
  /**
   * Window rows expire this long (up to a second more) after their last write (a TTL), so that a long run
   * does not grow without bound; must exceed the largest window plus its lateness. Kept forever when absent.
   */
  readonly windowRetentionMs?: number;
  /**
   * Consistency of every read and of the conditional batch's commit phase: `LOCAL_QUORUM` by default (on
   * one node, that node; with replication 3, two replicas of the local data center). See
   * `CONSISTENCY_LEVELS`.
   */
  readonly consistency?: ConsistencyName;
  /**
   * Consistency of the conditional batch's Paxos phase: `LOCAL_SERIAL` by default (a majority of the local
   * data center's replicas), or `SERIAL` (a majority of all replicas, across data centers).
   */
  readonly serialConsistency?: SerialConsistencyName;
  /**
   * How long each commit's change record is kept for the maintained read side (`changesSince`); a reader
   * further behind reads the partition whole again. Default 10 minutes.
   */
  readonly changeRetentionMs?: number;
  /**
   * Every this many commits of a partition, the venue and cell values of its change records are folded into
   * its rows (default 16): more coalesces more writes of the same venue, but makes each fold bigger (its
   * read-back and statements are the writer's largest transient memory) and leaves more records for a cold
   * read to overlay.
   */
  readonly foldEveryCommits?: number;
}

/** The consistency levels a read or the commit of a conditional batch may use. */
export const CONSISTENCY_LEVELS = [
  'ONE',
  'LOCAL_ONE',
  'TWO',
  'THREE',
  'QUORUM',
  'LOCAL_QUORUM',
  'EACH_QUORUM',
  'ALL',
] as const;
export type ConsistencyName = (typeof CONSISTENCY_LEVELS)[number];
/** The consistency levels of a conditional batch's Paxos phase. */
export const SERIAL_CONSISTENCY_LEVELS = ['SERIAL', 'LOCAL_SERIAL'] as const;
export type SerialConsistencyName = (typeof SERIAL_CONSISTENCY_LEVELS)[number];

const DRIVER_LEVEL: Record<ConsistencyName | SerialConsistencyName, number> = {
  ONE: cassandra.types.consistencies.one,
  LOCAL_ONE: cassandra.types.consistencies.localOne,
  TWO: cassandra.types.consistencies.two,
  THREE: cassandra.types.consistencies.three,
  QUORUM: cassandra.types.consistencies.quorum,
  LOCAL_QUORUM: cassandra.types.consistencies.localQuorum,
  EACH_QUORUM: cassandra.types.consistencies.eachQuorum,
  ALL: cassandra.types.consistencies.all,
  SERIAL: cassandra.types.consistencies.serial,
  LOCAL_SERIAL: cassandra.types.consistencies.localSerial,
};

function level(name: string, allowed: readonly string[], what: string): number {
  const upper = name.toUpperCase();
  if (!allowed.includes(upper)) throw new RangeError(`${what} "${name}": expected one of ${allowed.join(', ')}`);
  return DRIVER_LEVEL[upper as ConsistencyName | SerialConsistencyName];
}

const KEYSPACE = /^[a-z][a-z0-9_]{0,47}$/;
const DATA_CENTER = /^[A-Za-z0-9_.-]+$/;

/** The keyspace's replication as a CQL map literal; throws a clear error for a malformed spec. */
export function replicationCql(spec: string): string {
  const [strategy, rest = ''] = spec.split(':');
  if (strategy === 'SimpleStrategy' && /^[1-9][0-9]?$/.test(rest)) {
    return `{'class': 'SimpleStrategy', 'replication_factor': ${rest}}`;
  }
  if (strategy === 'NetworkTopologyStrategy') {
    const dcs = rest.split(',').map((part) => part.split('='));
    if (dcs.length > 0 && dcs.every(([dc = '', rf = '']) => DATA_CENTER.test(dc) && /^[1-9][0-9]?$/.test(rf))) {
      return `{'class': 'NetworkTopologyStrategy', ${dcs.map(([dc, rf]) => `'${dc}': ${rf}`).join(', ')}}`;
    }
  }
  throw new RangeError(
    `replication "${spec}": expected SimpleStrategy:<factor> or NetworkTopologyStrategy:<dc>=<factor>[,<dc>=<factor>…]`,
  );
}

/**
 * The native port of the nodes: the contact points' (9042 when they name none; a bare IPv6 address names
 * none); one for all of them.
 */
export function nativePort(contactPoints: readonly string[]): number {
  const ports = new Set(
    contactPoints.map((point) => Number(/^(?:\[[^\]]*\]|[^:]*):([0-9]{1,5})$/.exec(point)?.[1] ?? 9042)),
  );
  if (ports.size !== 1) {
    throw new RangeError(`contact points ${contactPoints.join(', ')}: every node must use the same port`);
  }
  return [...ports][0] as number;
}

/**
 * Checks the options by the rules `createCassandraCountStore` applies, without connecting: for a caller
 * that reads them from its configuration and wants a bad value refused there. Throws a `RangeError`.
 */
export function checkCassandraOptions(options: CassandraOptions): void {
  driverOptions(options);
  for (const point of options.contactPoints) {
    if (!CONTACT_POINT.test(point))
      throw new RangeError(`Cassandra contact point "${point}": expected host or host:port`);
  }
  if (options.windowRetentionMs !== undefined && !(options.windowRetentionMs > 0)) {
    throw new RangeError(`window retention ${options.windowRetentionMs} ms: expected a positive duration`);
  }
}

/** `host`, `host:port`, `[v6]:port`, or a bare IPv6 address. */
const CONTACT_POINT =
  /^(?:(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?|[0-9A-Fa-f]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)$/;

/** Validates the options once, up front, and turns them into the driver's. */
export function driverOptions(options: CassandraOptions): ClientOptions {
  if (!KEYSPACE.test(options.keyspace)) {
    throw new RangeError(`keyspace "${options.keyspace}": lower-case letters, digits and _, starting with a letter`);
  }
  if (options.contactPoints.length === 0) throw new RangeError('at least one Cassandra contact point is needed');
  if (!DATA_CENTER.test(options.localDataCenter)) {
    throw new RangeError(`data center "${options.localDataCenter}": letters, digits, '.', '_' and '-'`);
  }
  replicationCql(options.replication ?? 'SimpleStrategy:1');
  const consistency = level(options.consistency ?? 'LOCAL_QUORUM', CONSISTENCY_LEVELS, 'consistency');
  const serialConsistency = level(
    options.serialConsistency ?? 'LOCAL_SERIAL',
    SERIAL_CONSISTENCY_LEVELS,
    'serial consistency',
  );
  const tls = options.tls;
  return {
    contactPoints: [...options.contactPoints],
    // The driver reaches the nodes it discovers on `protocolOptions.port` (9042 unless set), not on the
    // contact points' port: a cluster on another port would otherwise be reached on 9042 (another server!).
    protocolOptions: { port: nativePort(options.contactPoints) },
    localDataCenter: options.localDataCenter,
    encoding: { useBigIntAsLong: false, useBigIntAsVarint: false },
    // Back within 10 s of a node's return, not the driver's default of up to 10 minutes.
    policies: { reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(500, 10_000, false) },
    queryOptions: {
      prepare: true,
      consistency,
      serialConsistency,
    },
    ...(options.credentials && { credentials: { ...options.credentials } }),
    // The driver does not verify the nodes' certificates unless told to: TLS here always does.
    ...(tls && { sslOptions: { rejectUnauthorized: true, ...(tls === true ? {} : tls) } }),
  };
}
