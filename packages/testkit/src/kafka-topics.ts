import type { Kafka } from 'kafkajs';

export interface TopicMessage {
  readonly offset: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

/** Everything in a topic right now, per partition in offset order, read by a throwaway consumer group. */
export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 60_000): Promise<Map<number, TopicMessage[]>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const byPartition = new Map<number, TopicMessage[]>(ends.map((e) => [e.partition, []]));
  const remaining = new Set(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => e.partition));
  if (remaining.size === 0) return byPartition;
  const high = new Map(ends.map((e) => [e.partition, Number(e.high)]));
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${topic} took more than ${timeoutMs} ms`)), timeoutMs);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        if (offset >= (high.get(partition) ?? 0)) return;
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) headers[name] = String(value);
        byPartition
          .get(partition)
          ?.push({ offset, key: message.key?.toString() ?? null, value: message.value, headers });
        if (offset === (high.get(partition) ?? 0) - 1) remaining.delete(partition);
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  try {
    await done;
  } finally {
    await consumer.disconnect();
  }
  return byPartition;
}
