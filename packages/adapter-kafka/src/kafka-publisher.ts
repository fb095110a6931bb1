import { batchStream, type Clock } from '@rsvp/core';
import { CompressionTypes } from 'kafkajs';
import type { KafkaRecordSender } from './kafka-record-sender.js';

export interface PublishOptions {
  readonly topic: string;
  /** Messages per request (default 500). */
  readonly batchSize?: number;
  /** A partial batch is sent after waiting this long (default 20 ms). */
  readonly lingerMs?: number;
  readonly clock: Clock;
  readonly compression?: 'none' | 'gzip';
  /**
   * Hears the running totals after each acknowledged batch: messages sent, and how many of them had no
   * readable `rsvp_id` and went out without a key (broken messages, which the processor will reject).
   */
  readonly onSent?: (total: number, unkeyed: number) => void;
}

/**
 * The key that sends every message of one RSVP to the same partition: its `rsvp_id`. A message without
 * a readable id (a broken one) has no key and is spread over the partitions.
 */
export function rsvpKey(message: string): string | null {
  try {
    const parsed: unknown = JSON.parse(message);
    const id = (parsed as { rsvp_id?: unknown } | null)?.rsvp_id;
    return typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : null;
  } catch {
    return null;
  }
}

/**
 * Sends messages to a topic in batches, one batch in flight at a time: the next batch is read only
 * when the last was acknowledged by every in-sync replica of each of its partitions (backpressure, not
 * buffering). Every message counted as sent (the result, `onSent`) is stored in Kafka, once. Returns how
 * many messages were sent; rejects when a batch could not be sent within the producer's retries.
 */
export async function publish(
  sender: KafkaRecordSender,
  messages: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: PublishOptions,
): Promise<number> {
  let total = 0;
  let unkeyed = 0;
  const keyed = (key: string | null): string | null => {
    if (key === null) unkeyed++;
    return key;
  };
  const batches = batchStream(messages, {
    maxSize: options.batchSize ?? 500,
    lingerMs: options.lingerMs ?? 20,
    clock: options.clock,
  });
  for await (const batch of batches) {
    await sender.send(
      options.topic,
      batch.map((message) => {
        if (typeof message === 'string') return { key: keyed(rsvpKey(message)), value: message };
        // Bytes go out as they came, invalid UTF-8 included: the processor rejects them with a reason.
        const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
        return { key: keyed(rsvpKey(bytes.toString('utf8'))), value: bytes };
      }),
      { compression: options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None },
    );
    total += batch.length;
    options.onSent?.(total, unkeyed);
  }
  return total;
}
