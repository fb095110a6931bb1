import { connectionSettings } from '@rsvp/stack';
import cassandra from 'cassandra-driver';

/** Where the local stack (`pnpm stack:up`) listens, as the CLI's options take it. */
export interface LocalStack {
  readonly brokers: readonly string[];
  /** `host:port` each. */
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
}

export function localStack(): LocalStack {
  const local = connectionSettings();
  return {
    brokers: local.kafka.brokers,
    contactPoints: local.cassandra.contactPoints.map((host) => `${host}:${local.cassandra.port}`),
    localDataCenter: local.cassandra.localDataCenter,
  };
}

/** The options of `rsvp process` / `rsvp serve` over the local stack, for one topic, group and keyspace. */
export function stackArgs(topic: string, group: string, keyspace: string, stack = localStack()): string[] {
  return [
    ...['--source', 'kafka', '--store', 'cassandra', '--kafka-brokers', stack.brokers.join(',')],
    ...['--kafka-topic', topic, '--kafka-dlq-topic', `${topic}.dlq`, '--kafka-group', group],
    ...['--cassandra-contact-points', stack.contactPoints.join(','), '--cassandra-datacenter', stack.localDataCenter],
    ...['--cassandra-keyspace', keyspace],
  ];
}

/** Drops keyspaces (missing ones are fine); a large one takes a while, hence the long timeout. */
export async function dropKeyspaces(
  keyspaces: readonly string[],
  stack: Pick<LocalStack, 'contactPoints' | 'localDataCenter'> = localStack(),
): Promise<void> {
  if (keyspaces.length === 0) return;
  const client = new cassandra.Client({
    contactPoints: [...stack.contactPoints],
    localDataCenter: stack.localDataCenter,
  });
  try {
    for (const keyspace of keyspaces) {
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`, [], { readTimeout: 60_000 });
    }
  } finally {
    await client.shutdown();
  }
}
