import type { DeadLetter, DeadLetterSink } from '@rsvp/core';
import type { KafkaRecordSender } from './kafka-record-sender.js';

/** Header names of a dead letter; the value is the original record's bytes, unchanged. */
export const DEAD_LETTER_HEADERS = {
  reasons: 'rsvp-dlq-reasons',
  problems: 'rsvp-dlq-problems',
  sourcePartition: 'rsvp-dlq-source-partition',
  sourceOffset: 'rsvp-dlq-source-offset',
  rejectedAt: 'rsvp-dlq-rejected-at',
} as const;

/**
 * Rejected records to a dead-letter topic, keyed by their source position (`rsvps:3@1042`) so that a
 * letter written twice after a crash can be recognized. Waits for every in-sync replica.
 */
export class KafkaDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly sender: KafkaRecordSender,
    private readonly topic: string,
  ) {}

  async write(letters: readonly DeadLetter[]): Promise<void> {
    await this.sender.send(
      this.topic,
      letters.map((letter) => ({
        key: `${letter.partition}@${letter.offset}`,
        value: letter.value === null ? null : toBuffer(letter.value),
        headers: {
          [DEAD_LETTER_HEADERS.reasons]: [...new Set(letter.problems.map((p) => p.code))].join(','),
          [DEAD_LETTER_HEADERS.problems]: JSON.stringify(letter.problems),
          [DEAD_LETTER_HEADERS.sourcePartition]: letter.partition,
          [DEAD_LETTER_HEADERS.sourceOffset]: String(letter.offset),
          [DEAD_LETTER_HEADERS.rejectedAt]: new Date(letter.rejectedAt).toISOString(),
        },
      })),
    );
  }
}

function toBuffer(value: Uint8Array | string): Buffer {
  return typeof value === 'string'
    ? Buffer.from(value, 'utf8')
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}
