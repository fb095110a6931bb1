/**
 * Checks that kafkajs works against the running local broker, call by call, and prints
 * each result. Kafka 4.0 removed old protocol versions (KIP-896) and kafkajs 2.2.4 predates
 * that; re-run this after changing the Kafka version in stack/versions.json:
 *
 *   pnpm stack:up kafka && npx tsx stack/src/kafkajs-compat-check.ts
 */
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { connectionSettings } from './index.js';

const { Kafka, logLevel, ConfigResourceTypes } = kafkajs;

const kafka = new Kafka({
  clientId: 'rsvp-kafkajs-compat',
  brokers: [...connectionSettings().kafka.brokers],
  logLevel: logLevel.WARN,
});
const suffix = randomUUID();
const topic = `kafkajs-compat-${suffix}`;
const groupId = `kafkajs-compat-${suffix}`;
let failures = 0;

async function step(name: string, run: () => Promise<unknown>): Promise<void> {
  const started = Date.now();
  try {
    const result = await run();
    const shown = result === undefined ? '' : ` ${JSON.stringify(result).slice(0, 160)}`;
    console.log(`ok    ${name} (${Date.now() - started} ms)${shown}`);
  } catch (error) {
    failures++;
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.log(`FAIL  ${name} (${Date.now() - started} ms): ${detail}`);
  }
}

const admin = kafka.admin();
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1000 });
const transactional = kafka.producer({ transactionalId: `tx-${suffix}`, idempotent: true, maxInFlightRequests: 1 });

await step('admin connect + describeCluster (Metadata, ApiVersions)', async () => {
  await admin.connect();
  return admin.describeCluster();
});
await step('createTopics (CreateTopics)', () =>
  admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true }),
);
await step('fetchTopicMetadata', () => admin.fetchTopicMetadata({ topics: [topic] }).then((m) => m.topics.length));
await step('describeConfigs (DescribeConfigs)', () =>
  admin
    .describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }], includeSynonyms: false })
    .then((r) => r.resources.length),
);
await step('idempotent producer connect (InitProducerId)', () => producer.connect());
await step('send 10 messages, acks=-1 (Produce)', () =>
  producer
    .send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) })
    .then((r) => r.map((p) => p.errorCode)),
);
await step('fetchTopicOffsets (ListOffsets)', () => admin.fetchTopicOffsets(topic));
await step('fetchTopicOffsetsByTimestamp (ListOffsets)', () =>
  admin.fetchTopicOffsetsByTimestamp(topic, Date.now() - 60_000),
);
await step(
  'consumer group: eachBatch + commitOffsets (FindCoordinator, JoinGroup, SyncGroup, Fetch, OffsetCommit)',
  async () => {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${received} of 10 messages within 60 s`)), 60_000);
      void consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          for (const message of batch.messages) {
            received++;
            resolveOffset(message.offset);
          }
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
          ]);
          await heartbeat();
          if (received >= 10) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    return received;
  },
);
await step('fetchOffsets (OffsetFetch)', () => admin.fetchOffsets({ groupId, topics: [topic] }));
await step('listGroups + describeGroups', async () => {
  const groups = await admin.listGroups();
  const described = await admin.describeGroups([groupId]);
  return { listed: groups.groups.some((g) => g.groupId === groupId), state: described.groups[0]?.state };
});
await step('consumer disconnect (LeaveGroup)', () => consumer.disconnect());
await step('resetOffsets + setOffsets', async () => {
  await admin.resetOffsets({ groupId, topic, earliest: true });
  await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
});
await step('deleteGroups', () => admin.deleteGroups([groupId]).then((r) => r.map((g) => g.errorCode)));
await step('createPartitions', () => admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] }));
await step('deleteTopicRecords (DeleteRecords)', () =>
  admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '-1' }] }),
);
await step('transactional producer: send + commit (AddPartitionsToTxn, EndTxn)', async () => {
  await transactional.connect();
  const transaction = await transactional.transaction();
  await transaction.send({ topic, messages: [{ value: 'in a transaction' }] });
  await transaction.commit();
});
await step('disconnect producers', async () => {
  await transactional.disconnect();
  await producer.disconnect();
});
await step('deleteTopics (DeleteTopics)', () => admin.deleteTopics({ topics: [topic] }));
await admin.disconnect();

console.log(failures === 0 ? 'kafkajs: every call worked' : `kafkajs: ${failures} call(s) FAILED`);
process.exit(failures === 0 ? 0 : 1);
