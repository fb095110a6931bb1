export {
  checkKafkaConnectionOptions,
  createKafka,
  DEFAULT_KAFKA_RETRIES,
  ensureTopics,
  type KafkaConnectionOptions,
  type TopicSpec,
} from './kafka-connection.js';
export { DEAD_LETTER_HEADERS, KafkaDeadLetterSink } from './kafka-dead-letter-sink.js';
export {
  DEFAULT_MAX_BATCH_RECORDS,
  DEFAULT_MAX_BYTES_PER_PARTITION,
  KafkaEventSource,
  type KafkaEventSourceOptions,
  type PartitionLag,
  partitionId,
} from './kafka-event-source.js';
export { type PublishOptions, publish, rsvpKey } from './kafka-publisher.js';
export {
  createRecordSender,
  KafkaRecordSender,
  type KafkaRecordSenderOptions,
  type SenderProducer,
  type SendOptions,
} from './kafka-record-sender.js';
