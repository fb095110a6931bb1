import type { CassandraCountStore } from '@rsvp/adapter-cassandra';
import { type CountChangeFeed, defineToken, type Pipeline, type VenueCountQuery } from '@rsvp/core';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { RsvpMetrics } from './metrics.js';
import type { MetricsServer } from './metrics-server.js';

const token = <T>(name: string) => defineToken<T>(`@rsvp/cli/${name}`);

/** The composition root's own keys, beside the ports' (`PORTS` in @rsvp/core). */
export const APP = {
  Config: token<Config>('Config'),
  Logger: token<Logger>('Logger'),
  Pipeline: token<Pipeline>('Pipeline'),
  /** Whether the count store answers, for `/readyz`. */
  StoreReady: token<() => Promise<boolean>>('StoreReady'),
  Kafka: token<Kafka>('Kafka'),
  KafkaProducer: token<Producer>('KafkaProducer'),
  CassandraStore: token<CassandraCountStore>('CassandraStore'),
  /** The store's own answer, summed per request: for a one-off read such as `rsvp process`'s summary. */
  StoreQuery: token<VenueCountQuery>('StoreQuery'),
  /** Where the maintained view reads committed changes. */
  ChangeFeed: token<CountChangeFeed>('ChangeFeed'),
  Metrics: token<RsvpMetrics>('Metrics'),
  /** `/metrics` on `--metrics-port`; resolve it only when that is set. */
  MetricsServer: token<MetricsServer>('MetricsServer'),
} as const;
