import { randomBytes } from 'node:crypto';
import { connectionSettings } from '@rsvp/stack';
import { deadLetterSinkContract, eventSourceContract, readTopic, waitFor } from '@rsvp/testkit';
import { describe, expect, it } from 'vitest';
import { createKafka, ensureTopics } from './kafka-connection.js';
import { KafkaDeadLetterSink } from './kafka-dead-letter-sink.js';
import { KafkaEventSource, type PartitionLag } from './kafka-event-source.js';
import { publish, rsvpKey } from './kafka-publisher.js';
import { createRecordSender } from './kafka-record-sender.js';

const kafka = createKafka({ brokers: connectionSettings().kafka.brokers, clientId: 'adapter-test' });
const clock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };

const lagOf = (source: KafkaEventSource) => new Map(source.lag().map((l: PartitionLag) => [l.partition, l.lag]));
const partitionOf = (id: string) => Number(id.slice(id.lastIndexOf(':') + 1));

async function freshTopic(partitions = 3): Promise<string> {
  const topic = `test-${randomBytes(5).toString('hex')}`;
  await ensureTopics(kafka, [{ topic, partitions, replicationFactor: 1 }]);
  return topic;
}

deadLetterSinkContract('KafkaDeadLetterSink', async () => {
  const topic = await freshTopic();
  const producer = createRecordSender(kafka);
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
  const producer = createRecordSender(kafka);
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
    const producer = createRecordSender(kafka);
    await producer.connect();
    const messages = Array.from({ length: 40 }, (_, i) => JSON.stringify({ rsvp_id: i % 5, n: i }));
    const reports: [number, number][] = [];
    const onSent = (sent: number, unkeyed: number) => void reports.push([sent, unkeyed]);
    expect(await publish(producer, messages, { topic, clock, onSent })).toBe(40);
    expect(reports.at(-1)).toEqual([40, 0]);
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
    const producer = createRecordSender(kafka);
    await producer.connect();
    let unkeyed = 0;
    const onSent = (_: number, n: number) => {
      unkeyed = n;
    };
    await publish(producer, ['a', 'b', 'c'], { topic, clock, onSent });
    expect(unkeyed).toBe(3); // no rsvp_id: sent without a key
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

  it("reports each owned partition's lag behind the high watermark: before consuming, after each stored chunk, 0 when drained, and only while it owns the partition", async () => {
    const topic = await freshTopic(3);
    const groupId = `g-${topic}`;
    const producer = createRecordSender(kafka);
    await producer.connect();
    await publish(
      producer,
      Array.from({ length: 240 }, (_, i) => JSON.stringify({ rsvp_id: i, n: i })),
      { topic, clock },
    );
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const produced = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
    expect([...produced.values()].every((n) => n > 0)).toBe(true);

    // A first member handles part of the topic and stops: the group's committed offsets are what it stored.
    const first = new KafkaEventSource(kafka, { topic, groupId, maxBatchRecords: 10 });
    let handled = 0;
    await first.run({
      async handleBatch(batch) {
        handled += batch.records.length;
        if (handled >= 60) void first.stop();
      },
      releasePartitions() {},
    });
    expect(first.lag()).toEqual([]); // it owns nothing any more
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = new Map(offsets?.partitions.map((p) => [p.partition, Math.max(0, Number(p.offset))]));
    const behind = [...produced]
      .sort(([a], [b]) => a - b)
      .map(([partition, n]) => [partition, n - (committed.get(partition) ?? 0)] as const);
    expect(behind.reduce((sum, [, lag]) => sum + lag, 0)).toBe(240 - handled);

    // A second member, held up before it stores anything, reports what the group is behind.
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const second = new KafkaEventSource(kafka, { topic, groupId, maxBatchRecords: 10 });
    const mismatches: string[] = [];
    let stored = 0;
    const running = second.run({
      async handleBatch(batch) {
        await gate;
        // Everything before this chunk is stored: the lag counts from its first offset.
        const p = partitionOf(batch.partition);
        const expected = (produced.get(p) ?? 0) - (batch.records[0]?.offset ?? 0);
        if (lagOf(second).get(p) !== expected) mismatches.push(`${p}: ${lagOf(second).get(p)} ≠ ${expected}`);
        stored += batch.records.length;
      },
      releasePartitions() {},
    });
    await waitFor('the lag of every partition', () => second.lag().length === 3);
    expect(second.lag()).toEqual(behind.map(([partition, lag]) => ({ topic, partition, lag })));
    release();
    await waitFor('the topic to drain', () => stored === 240 - handled && second.lag().every((l) => l.lag === 0));
    expect(mismatches).toEqual([]);

    // A third member joins: each partition is reported by its owner alone.
    const third = new KafkaEventSource(kafka, { topic, groupId, maxBatchRecords: 10 });
    const thirdRunning = third.run({ async handleBatch() {}, releasePartitions() {} });
    await waitFor(
      'the rebalance',
      () => {
        const [a, b] = [lagOf(second), lagOf(third)];
        return a.size > 0 && b.size > 0 && a.size + b.size === 3 && [...a.keys()].every((p) => !b.has(p));
      },
      90_000,
    );
    expect([...second.lag(), ...third.lag()].every((l) => l.lag === 0)).toBe(true);
    await Promise.all([second.stop(), third.stop()]);
    await Promise.all([running, thirdRunning]);
    await admin.disconnect();
  });
});
