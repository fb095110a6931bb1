import type { CassandraCountStore } from '@rsvp/adapter-cassandra';
import type { KafkaRecordSender } from '@rsvp/adapter-kafka';
import type {
  Clock,
  CountChangeFeed,
  CountStore,
  DeadLetterSink,
  EventSource,
  Pipeline,
  VenueCountQuery,
} from '@rsvp/core';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { RsvpMetrics } from './metrics.js';
import type { MetricsServer } from './metrics-server.js';

/** A dependency-injection key that remembers the type bound to it. */
export type Token<T> = symbol & { readonly __bound?: T };

/** A token for `T`, the same symbol wherever it is defined (`Symbol.for`), e.g. `@rsvp/core/CountStore`. */
export function defineToken<T>(key: string): Token<T> {
  return Symbol.for(key) as Token<T>;
}

// The ports' keys keep their `@rsvp/core/` names: only the composition root binds them, the core uses none.
const port = <T>(name: string) => defineToken<T>(`@rsvp/core/${name}`);
const token = <T>(name: string) => defineToken<T>(`@rsvp/cli/${name}`);

/** The ports' keys, for the container that wires adapters to them. */
export const PORTS = {
  EventSource: port<EventSource>('EventSource'),
  CountStore: port<CountStore>('CountStore'),
  VenueCountQuery: port<VenueCountQuery>('VenueCountQuery'),
  DeadLetterSink: port<DeadLetterSink>('DeadLetterSink'),
  Clock: port<Clock>('Clock'),
} as const;

/** The composition root's own keys, beside the ports'. */
export const APP = {
  Config: token<Config>('Config'),
  Logger: token<Logger>('Logger'),
  Pipeline: token<Pipeline>('Pipeline'),
  /** Whether the count store answers, for `/readyz`. */
  StoreReady: token<() => Promise<boolean>>('StoreReady'),
  Kafka: token<Kafka>('Kafka'),
  /** Idempotent sends to Kafka (the producer's and the dead-letter sink's). */
  KafkaProducer: token<KafkaRecordSender>('KafkaProducer'),
  CassandraStore: token<CassandraCountStore>('CassandraStore'),
  /** The store's own answer, summed per request: for a one-off read such as `rsvp process`'s summary. */
  StoreQuery: token<VenueCountQuery>('StoreQuery'),
  /** Where the maintained view reads committed changes. */
  ChangeFeed: token<CountChangeFeed>('ChangeFeed'),
  Metrics: token<RsvpMetrics>('Metrics'),
  /** `/metrics` on `--metrics-port`; resolve it only when that is set. */
  MetricsServer: token<MetricsServer>('MetricsServer'),
} as const;
