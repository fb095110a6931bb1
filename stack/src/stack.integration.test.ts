/**
 * Smoke test of the real local stack. It does not start anything: run `pnpm stack:up`
 * first. If a server is not reachable, the test fails (it never skips) and says so.
 */
import { randomUUID } from 'node:crypto';
import cassandra from 'cassandra-driver';
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { connectionSettings } from './index.js';

const { Kafka, logLevel } = kafkajs;
const settings = connectionSettings();
const NOT_UP = 'Is the stack up? Run `pnpm stack:up` first (and `pnpm stack:status` to check)';

function failure(what: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`${what} is not reachable: ${reason}. ${NOT_UP}`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('local stack (needs `pnpm stack:up`)', () => {
  it('produces and consumes a message through Kafka with an idempotent producer and a consumer group', async () => {
    const clientConfig = { brokers: [...settings.kafka.brokers], connectionTimeout: 3000 };
    // Reachability first, quietly: kafkajs would log every refused connection.
    const probe = new Kafka({
      ...clientConfig,
      clientId: 'rsvp-stack-smoke-probe',
      logLevel: logLevel.NOTHING,
      retry: { retries: 2 },
    }).admin();
    try {
      await withTimeout(
        probe.connect().then(() => probe.describeCluster()),
        15_000,
        'Kafka metadata',
      );
    } catch (error) {
      throw failure(`Kafka at ${settings.kafka.brokers.join(',')}`, error);
    } finally {
      await probe.disconnect().catch(() => undefined);
    }

    const kafka = new Kafka({ ...clientConfig, clientId: 'rsvp-stack-smoke', logLevel: logLevel.ERROR });
    const admin = kafka.admin();
    await admin.connect();

    const suffix = randomUUID();
    const topic = `stack-smoke-${suffix}`;
    const groupId = `stack-smoke-${suffix}`;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    // A short fetch wait keeps disconnect quick (kafkajs waits for the running fetch).
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 250 });
    try {
      expect(
        await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true }),
      ).toBe(true);

      await producer.connect();
      const [sent] = await producer.send({ topic, acks: -1, messages: [{ key: 'rsvp-1', value: 'hello stack' }] });
      expect(sent?.errorCode).toBe(0);

      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      const received = new Promise<{ key: string; value: string; offset: string }>((resolve) => {
        void consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
            for (const message of batch.messages) {
              resolveOffset(message.offset);
              await consumer.commitOffsets([
                { topic: batch.topic, partition: batch.partition, offset: String(Number(message.offset) + 1) },
              ]);
              resolve({
                key: message.key?.toString() ?? '',
                value: message.value?.toString() ?? '',
                offset: message.offset,
              });
            }
            await heartbeat();
          },
        });
      });
      const message = await withTimeout(received, 30_000, 'consuming the message');
      expect(message).toEqual({ key: 'rsvp-1', value: 'hello stack', offset: '0' });

      const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
      expect(committed).toEqual([{ topic, partitions: [{ partition: 0, offset: '1', metadata: null }] }]);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  }, 90_000);

  it('creates a keyspace and table in Cassandra and writes and reads a row', async () => {
    const { contactPoints, port, localDataCenter } = settings.cassandra;
    const client = new cassandra.Client({
      contactPoints: [...contactPoints],
      localDataCenter,
      protocolOptions: { port },
      socketOptions: { connectTimeout: 3000, readTimeout: 20_000 },
    });
    try {
      await withTimeout(client.connect(), 15_000, 'Cassandra connect');
    } catch (error) {
      await client.shutdown().catch(() => undefined);
      throw failure(`Cassandra at ${contactPoints.join(',')}:${port}`, error);
    }

    const keyspace = `stack_smoke_${randomUUID().replaceAll('-', '')}`;
    try {
      const version = (await client.execute('SELECT release_version FROM system.local'))
        .first()
        ?.get('release_version');
      expect(String(version)).toMatch(/^5\.0\./);

      await client.execute(
        `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
      );
      await client.execute(`CREATE TABLE ${keyspace}.rsvps (id uuid PRIMARY KEY, member text, yes_count int)`);
      const id = cassandra.types.Uuid.random();
      await client.execute(`INSERT INTO ${keyspace}.rsvps (id, member, yes_count) VALUES (?, ?, ?)`, [id, 'ada', 3], {
        prepare: true,
      });
      const row = (
        await client.execute(`SELECT member, yes_count FROM ${keyspace}.rsvps WHERE id = ?`, [id], { prepare: true })
      ).first();
      expect(row?.get('member')).toBe('ada');
      expect(row?.get('yes_count')).toBe(3);
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
      await client.shutdown().catch(() => undefined);
    }
  }, 90_000);
});
