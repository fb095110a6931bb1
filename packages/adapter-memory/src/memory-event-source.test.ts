import type { BatchConsumer, SourceBatch } from '@rsvp/core';
import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';
import { MemoryEventSource, type RawMessage } from './memory-event-source.js';

function recorder(onBatch?: (batch: SourceBatch) => void): BatchConsumer & { batches: SourceBatch[] } {
  const batches: SourceBatch[] = [];
  return {
    batches,
    async handleBatch(batch) {
      batches.push(batch);
      onBatch?.(batch);
    },
    releasePartitions() {},
  };
}

describe('MemoryEventSource', () => {
  it('delivers every message once, in order, in batches of at most batchSize, with offsets from 0', async () => {
    const consumer = recorder();
    await new MemoryEventSource({ messages: ['a', 'b', null, 'c', 'd'], batchSize: 2 }).run(consumer);
    expect(consumer.batches.map((b) => b.records)).toEqual([
      [
        { offset: 0, value: 'a' },
        { offset: 1, value: 'b' },
      ],
      [
        { offset: 2, value: null },
        { offset: 3, value: 'c' },
      ],
      [{ offset: 4, value: 'd' }],
    ]);
  });

  it('delivers a partial batch after lingerMs when the stream is slow', async () => {
    let release: (() => void) | undefined;
    async function* slow(): AsyncGenerator<RawMessage> {
      yield 'a';
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      yield 'b';
    }
    const consumer = recorder((batch) => {
      if (batch.records[0]?.value === 'a') release?.();
    });
    await new MemoryEventSource({ messages: slow(), batchSize: 10, lingerMs: 50, clock: new ManualClock() }).run(
      consumer,
    );
    expect(consumer.batches.map((b) => b.records.map((r) => r.value))).toEqual([['a'], ['b']]);
  });

  it('stops an endless stream after the batch in flight', async () => {
    function* endless(): Generator<RawMessage> {
      for (;;) yield 'x';
    }
    const source = new MemoryEventSource({ messages: endless(), batchSize: 3 });
    const consumer = recorder(() => void source.stop());
    await source.run(consumer);
    expect(consumer.batches).toHaveLength(1);
  });

  it('stops delivering when the consumer fails, and says why', async () => {
    const consumer = recorder(() => {
      throw new Error('store down');
    });
    await expect(new MemoryEventSource({ messages: ['a', 'b'], batchSize: 1 }).run(consumer)).rejects.toThrow(
      'store down',
    );
    expect(consumer.batches).toHaveLength(1);
  });

  it('rejects a batch size that is not a positive integer', () => {
    expect(() => new MemoryEventSource({ messages: [], batchSize: 0 })).toThrow(/batchSize/);
  });
});
