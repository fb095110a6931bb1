export { ManualClock } from './manual-clock.js';
export { MemoryCountStore, type MemoryCountStoreOptions } from './memory-count-store.js';
export { MemoryDeadLetterSink } from './memory-dead-letter-sink.js';
export { MemoryEventSource, type MemoryEventSourceOptions, type RawMessage } from './memory-event-source.js';
export { readNdjsonLines } from './ndjson-file.js';
export { type PaceOptions, paced, type SimulatedMessagesOptions, simulatedMessages } from './simulated-messages.js';
