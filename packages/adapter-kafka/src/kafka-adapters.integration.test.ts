import { randomBytes } from 'node:crypto';
import { connectionSettings } from '@rsvp/stack';
import { deadLetterSinkContract, eventSourceContract, readTopic } from '@rsvp/testkit';
import { describe, expect, it } from 'vitest';
import { createKafka, ensureTopics } from './kafka-connection.js';
import { KafkaDeadLetterSink } from './kafka-dead-letter-sink.js';
import { KafkaEventSource } from './kafka-event-source.js';
import { publish, rsvpKey } from './kafka-publisher.js';

const kafka = createKafka({ brokers: connectionSettings().kafka.brokers, clientId: 'adapter-test' });
const clock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };

async function freshTopic(partitions = 3): Promise<string> {
  const topic = `test-${randomBytes(5).toString('hex')}`;
  await ensureTopics(kafka, [{ topic, partitions, replicationFactor: 1 }]);
  return topic;
}

deadLetterSinkContract('KafkaDeadLetterSink', async () => {
  const topic = await freshTopic();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return {
    sink: new KafkaDeadLetterSink(producer, topic),
    readBack: async () =>
      [...(await readTopic(kafka, topic)).values()].flat().map((m) => {
        const [partition = '', offset] = (m.key ?? '').split('@');
        return {
          partition,
          offset: Number(offset),
          value: m.value === null ? null : new Uint8Array(m.value),
          codes: (m.headers['rsvp-dlq-reasons'] ?? '').split(','),
        };
      }),
    close: () => producer.disconnect(),
  };
});

eventSourceContract('KafkaEventSource', async (messages) => {
  const topic = await freshTopic();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await publish(producer, messages, { topic, batchSize: 32, clock });
  await producer.disconnect();
  return {
    source: new KafkaEventSource(kafka, { topic, groupId: `g-${topic}`, maxBatchRecords: 16 }),
    close: async () => {},
  };
});

describe('Kafka adapters', () => {
  it('keys messages by rsvp_id so every message of one RSVP lands in one partition; broken ones spread', async () => {
    expect(rsvpKey('{"rsvp_id":42,"mtime":1}')).toBe('42');
    expect(rsvpKey("{'rsvp_id': 42}")).toBe(null);
    const topic = await freshTopic(4);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const messages = Array.from({ length: 40 }, (_, i) => JSON.stringify({ rsvp_id: i % 5, n: i }));
    expect(await publish(producer, messages, { topic, clock })).toBe(40);
    await producer.disconnect();
    const partitionsOf = new Map<string, Set<number>>();
    for (const [partition, records] of await readTopic(kafka, topic)) {
      for (const r of records)
        partitionsOf.set(r.key ?? '', (partitionsOf.get(r.key ?? '') ?? new Set()).add(partition));
    }
    expect([...partitionsOf.values()].every((set) => set.size === 1)).toBe(true);
    expect(partitionsOf.size).toBe(5);
  });

  it('delivers a batch again when the pipeline fails it, and commits only what was handled', async () => {
    const topic = await freshTopic(1);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await publish(producer, ['a', 'b', 'c'], { topic, clock });
    await producer.disconnect();
    const source = new KafkaEventSource(kafka, { topic, groupId: `g-${topic}` });
    const seen: number[] = [];
    let failures = 0;
    await source.run({
      async handleBatch(batch) {
        seen.push(...batch.records.map((r) => r.offset));
        if (failures++ === 0) throw new Error('store unavailable');
        if (seen.filter((o) => o === 2).length > 0) void source.stop();
      },
      releasePartitions() {},
    });
    expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
    expect(seen.slice(3, 6)).toEqual([0, 1, 2]);
    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId: `g-${topic}`, topics: [topic] });
    await admin.disconnect();
    expect(committed?.partitions[0]?.offset).toBe('3');
  });
});
