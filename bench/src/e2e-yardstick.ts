import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createKafka, DEFAULT_MAX_BYTES_PER_PARTITION } from '@rsvp/adapter-kafka';
import type { Admin } from 'kafkajs';
import { type Drain, measureDrain } from './e2e-drain.js';
import { benchKafka, brokers, deleteKafkaThings, onCleanup, spawnNode, stopChild } from './real-stack.js';

/** The child runs this very module with this flag (and its arguments as JSON). */
const YARDSTICK_FLAG = '--e2e-yardstick';

/** The yardstick: a bare kafkajs consumer in a child process, timed by the same poller. */
export async function yardstickRun(
  admin: Admin,
  topic: string,
  total: number,
  drainTimeoutMs: number,
  id: string,
): Promise<Drain> {
  const group = `bench_e2e_${id}_bare_${randomBytes(3).toString('hex')}`;
  onCleanup(`delete group ${group}`, () => deleteKafkaThings(benchKafka('bench-e2e-cleanup'), [], [group]));
  const file = fileURLToPath(import.meta.url);
  const startedAt = performance.now();
  const child = spawnNode('bare kafkajs consumer', [
    ...process.execArgv,
    file,
    YARDSTICK_FLAG,
    JSON.stringify({ brokers, topic, group, total }),
  ]);
  try {
    return await measureDrain(admin, group, topic, total, startedAt, drainTimeoutMs, [child]);
  } finally {
    await stopChild(child, 'SIGTERM', 10_000);
  }
}

interface YardstickArgs {
  readonly brokers: string[];
  readonly topic: string;
  readonly group: string;
  readonly total: number;
}

/** The bare loop: same client library and consumer settings as KafkaEventSource, nothing done with the records. */
async function yardstickChild({ brokers: list, topic, group }: YardstickArgs): Promise<void> {
  const kafka = createKafka({ brokers: list, clientId: 'bench-bare-consumer' });
  const consumer = kafka.consumer({
    groupId: group,
    maxBytesPerPartition: DEFAULT_MAX_BYTES_PER_PARTITION,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    retry: { retries: 8, initialRetryTime: 300, maxRetryTime: 30_000 },
  });
  const stop = async () => {
    await consumer.disconnect().catch(() => {});
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    // Committed at most every 100 ms (so that the poller sees progress), not after every batch.
    autoCommit: true,
    autoCommitInterval: 100,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const last = batch.messages.at(-1);
      if (last) resolveOffset(last.offset);
      await heartbeat();
    },
  });
}

if (process.argv[2] === YARDSTICK_FLAG) {
  await yardstickChild(JSON.parse(process.argv[3] ?? '{}') as YardstickArgs);
}
