import type { CassandraCountStore } from '@rsvp/adapter-cassandra';
import type { Pipeline, Token } from '@rsvp/core';
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from './config.js';

function token<T>(name: string): Token<T> {
  return Symbol.for(`@rsvp/cli/${name}`) as Token<T>;
}

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
} as const;
