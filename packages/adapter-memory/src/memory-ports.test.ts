import { deadLetterSinkContract, eventSourceContract } from '@rsvp/testkit';
import { MemoryDeadLetterSink } from './memory-dead-letter-sink.js';
import { MemoryEventSource } from './memory-event-source.js';

deadLetterSinkContract('MemoryDeadLetterSink', async () => {
  const sink = new MemoryDeadLetterSink();
  return {
    sink,
    readBack: async () =>
      sink.letters.map((l) => ({
        partition: l.partition,
        offset: l.offset,
        value: typeof l.value === 'string' ? new TextEncoder().encode(l.value) : l.value,
        codes: l.problems.map((p) => p.code),
      })),
    close: async () => {},
  };
});

eventSourceContract('MemoryEventSource', async (messages) => ({
  source: new MemoryEventSource({ messages, batchSize: 16 }),
  close: async () => {},
}));
