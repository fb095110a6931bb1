import type { Message, ProducerRecord, RecordMetadata } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaRecordSender, type SenderProducer } from './kafka-record-sender.js';

const PARTITIONS = 6;
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** A stand-in for kafkajs's producer: records every `send`, answers as `answer` says. */
class FakeProducer implements SenderProducer {
  readonly sends: ProducerRecord[] = [];
  inFlight = new Map<number, number>();
  maxInFlight = 0;
  connected = false;
  disconnected = false;
  constructor(private readonly answer: (record: ProducerRecord, n: number) => Promise<RecordMetadata[]>) {}
  async connect() {
    this.connected = true;
  }
  async disconnect() {
    this.disconnected = true;
  }
  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    this.sends.push(record);
    const partitions = [...new Set(record.messages.map((m) => m.partition))];
    for (const p of partitions) {
      const n = (this.inFlight.get(p ?? -1) ?? 0) + 1;
      this.inFlight.set(p ?? -1, n);
      this.maxInFlight = Math.max(this.maxInFlight, n);
    }
    try {
      await tick();
      return await this.answer(record, this.sends.length);
    } finally {
      for (const p of partitions) this.inFlight.set(p ?? -1, (this.inFlight.get(p ?? -1) ?? 1) - 1);
    }
  }
}

const acked = async (record: ProducerRecord): Promise<RecordMetadata[]> =>
  [...new Set(record.messages.map((m) => m.partition ?? -1))].map((partition) => ({
    topicName: record.topic,
    partition,
    errorCode: 0,
  }));

function sender(producers: FakeProducer[], make: () => FakeProducer, retries?: number) {
  return new KafkaRecordSender({
    createProducer: () => {
      const producer = make();
      producers.push(producer);
      return producer;
    },
    partitionCount: async () => PARTITIONS,
    ...(retries !== undefined && { unacknowledgedRetries: retries }),
  });
}

const keyed = (n: number): Message[] => Array.from({ length: n }, (_, i) => ({ key: String(i), value: `v${i}` }));

describe('KafkaRecordSender', () => {
  it("sends each partition's records in a send of their own, the partition fixed on every message, keys by kafkajs's murmur2", async () => {
    const producers: FakeProducer[] = [];
    const s = sender(producers, () => new FakeProducer(acked));
    const unkeyed = Array.from({ length: 12 }, (_, i) => ({ key: null, value: `broken ${i}` }));
    await s.send('t', [...keyed(40), ...unkeyed]);
    const [producer] = producers;
    const sends = producer?.sends ?? [];
    expect(sends.length).toBeGreaterThan(1);
    const partitionOf = Partitioners.DefaultPartitioner();
    const metadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [],
      isr: [],
    }));
    for (const record of sends) {
      expect(record.acks).toBe(-1);
      expect(new Set(record.messages.map((m) => m.partition)).size).toBe(1);
      for (const m of record.messages) {
        expect(m.partition).toBeTypeOf('number');
        if (m.key !== null && m.key !== undefined) {
          const { partition: _fixed, ...message } = m;
          expect(m.partition).toBe(partitionOf({ topic: 't', partitionMetadata: metadata, message }));
        }
      }
    }
    // Every message once; unkeyed ones spread over more than one partition.
    expect(sends.flatMap((r) => r.messages.map((m) => m.value)).sort()).toEqual(
      [...keyed(40), ...unkeyed].map((m) => m.value).sort(),
    );
    const unkeyedPartitions = sends.flatMap((r) => r.messages.filter((m) => m.key === null).map((m) => m.partition));
    expect(new Set(unkeyedPartitions).size).toBeGreaterThan(1);
  });

  it('has at most one send per partition in flight, however many callers, and keeps their order', async () => {
    const producers: FakeProducer[] = [];
    const s = sender(producers, () => new FakeProducer(acked));
    await Promise.all(
      Array.from({ length: 8 }, (_, batch) => s.send('t', [{ key: 'same', value: `batch ${batch}` }, ...keyed(12)])),
    );
    const [producer] = producers;
    expect(producer?.maxInFlight).toBe(1);
    const same = (producer?.sends ?? []).flatMap((r) =>
      r.messages.filter((m) => m.key === 'same').map((m) => String(m.value)),
    );
    expect(same).toEqual(Array.from({ length: 8 }, (_, batch) => `batch ${batch}`));
  });

  it('never takes a send without its acknowledgement as sent: it sends the same records again, then fails', async () => {
    const producers: FakeProducer[] = [];
    // kafkajs resolves with no answer for a partition whose leader its metadata lacks (nothing was sent).
    const s = sender(producers, () => new FakeProducer(async (record, n) => (n <= 2 ? [] : acked(record))));
    await s.send('t', [{ key: 'a', value: 'one' }]);
    const sends = producers[0]?.sends ?? [];
    expect(sends).toHaveLength(3);
    expect(sends.map((r) => r.messages)).toEqual([sends[0]?.messages, sends[0]?.messages, sends[0]?.messages]);

    const never = sender([], () => new FakeProducer(async () => []), 2);
    await expect(never.send('t', [{ key: 'a', value: 'one' }])).rejects.toThrow(/did not acknowledge 1 records/);
  });

  it('after a failed send, sends with a new producer (a new producer id: no sequence number reused)', async () => {
    const producers: FakeProducer[] = [];
    let failures = 1;
    const s = sender(
      producers,
      () =>
        new FakeProducer(async (record) => {
          if (failures-- > 0) throw new Error('request timed out');
          return acked(record);
        }),
    );
    await expect(s.send('t', [{ key: 'a', value: 'one' }])).rejects.toThrow('request timed out');
    await s.send('t', [{ key: 'a', value: 'one' }]);
    expect(producers).toHaveLength(2);
    await tick();
    expect(producers[0]?.disconnected).toBe(true);
    expect(producers[1]?.sends).toHaveLength(1);
    await s.disconnect();
    expect(producers[1]?.disconnected).toBe(true);
  });
});
