import type { DeadLetter, DeadLetterSink, EventSource, SourceBatch } from '@rsvp/core';
import { afterEach, describe, expect, it } from 'vitest';

export interface ReadBackLetter {
  readonly partition: string;
  readonly offset: number;
  readonly value: Uint8Array | null;
  readonly codes: readonly string[];
}

export interface SinkUnderTest {
  readonly sink: DeadLetterSink;
  /** What the sink holds now, oldest first. */
  readBack(): Promise<ReadBackLetter[]>;
  close(): Promise<void>;
}

const bytes = (value: Uint8Array | string | null) =>
  typeof value === 'string' ? new TextEncoder().encode(value) : value;

/** What every `DeadLetterSink` must do: keep each letter's original bytes, position and reasons. */
export function deadLetterSinkContract(name: string, open: () => Promise<SinkUnderTest>): void {
  describe(`${name} (DeadLetterSink contract)`, () => {
    let opened: SinkUnderTest | undefined;
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
    });

    it('keeps the original bytes unchanged (invalid UTF-8 and empty records too), the position and the reasons', async () => {
      opened = await open();
      const letters: DeadLetter[] = [
        {
          partition: 'rsvps:0',
          offset: 7,
          value: "{'rsvp_id': 1}",
          rejectedAt: 1,
          problems: [{ code: 'invalid_json', path: '', message: 'x' }],
        },
        {
          partition: 'rsvps:2',
          offset: 8,
          value: new Uint8Array([0x7b, 0xff, 0x7d]),
          rejectedAt: 2,
          problems: [{ code: 'invalid_utf8', path: '', message: 'x' }],
        },
        {
          partition: 'rsvps:2',
          offset: 9,
          value: null,
          rejectedAt: 3,
          problems: [{ code: 'empty_message', path: '', message: 'x' }],
        },
        {
          partition: 'rsvps:2',
          offset: 10,
          value: '{"mtime":-1}',
          rejectedAt: 4,
          problems: [
            { code: 'out_of_range', path: 'mtime', message: 'x' },
            { code: 'missing_field', path: 'rsvp_id', message: 'x' },
          ],
        },
      ];
      await opened.sink.write(letters.slice(0, 1));
      await opened.sink.write(letters.slice(1));
      const read = await opened.readBack();
      const key = (l: { partition: string; offset: number }) => `${l.partition}@${l.offset}`;
      expect(read.map(key).sort()).toEqual(letters.map(key).sort());
      for (const letter of letters) {
        const back = read.find((r) => key(r) === key(letter));
        expect(back?.value).toEqual(bytes(letter.value));
        expect(back?.codes).toEqual(letter.problems.map((p) => p.code));
      }
    });
  });
}

export interface SourceUnderTest {
  readonly source: EventSource;
  close(): Promise<void>;
}

/**
 * What every `EventSource` must do: deliver each message once, per partition in the order sent, with
 * strictly increasing offsets; `open` starts a source over exactly these messages.
 */
export function eventSourceContract(
  name: string,
  open: (messages: readonly string[]) => Promise<SourceUnderTest>,
): void {
  describe(`${name} (EventSource contract)`, () => {
    let opened: SourceUnderTest | undefined;
    afterEach(async () => {
      await opened?.close();
      opened = undefined;
    });

    it('delivers every message once, in order within its partition, then stops when asked', async () => {
      const messages = Array.from({ length: 120 }, (_, i) => JSON.stringify({ rsvp_id: i % 7, n: i }));
      opened = await open(messages);
      const batches: SourceBatch[] = [];
      let received = 0;
      const source = opened.source;
      await source.run({
        async handleBatch(batch) {
          batches.push(batch);
          received += batch.records.length;
          // Not awaited: a source may finish the batch in flight before it stops.
          if (received >= messages.length) void source.stop();
        },
        releasePartitions() {},
      });
      const byPartition = new Map<string, { offset: number; value: string }[]>();
      for (const batch of batches) {
        const list = byPartition.get(batch.partition) ?? [];
        for (const r of batch.records)
          list.push({ offset: r.offset, value: new TextDecoder().decode(bytes(r.value) ?? new Uint8Array()) });
        byPartition.set(batch.partition, list);
      }
      const all = [...byPartition.values()].flat().map((r) => r.value);
      expect(all.sort()).toEqual([...messages].sort());
      for (const records of byPartition.values()) {
        const offsets = records.map((r) => r.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
        expect(new Set(offsets).size).toBe(offsets.length);
        const order = records.map((r) => messages.indexOf(r.value));
        expect(order).toEqual([...order].sort((a, b) => a - b));
      }
    });
  });
}
