import { type CassandraCountStore, createCassandraCountStore } from '@rsvp/adapter-cassandra';
import {
  createKafka,
  createRecordSender,
  ensureTopics,
  KafkaDeadLetterSink,
  KafkaEventSource,
  type KafkaRecordSender,
} from '@rsvp/adapter-kafka';
import {
  MemoryCountStore,
  MemoryDeadLetterSink,
  MemoryEventSource,
  paced,
  readNdjsonLines,
  simulatedMessages,
} from '@rsvp/adapter-memory';
import {
  type Clock,
  type CountChangeFeed,
  type CountStore,
  type DeadLetterSink,
  type EventSource,
  MaintainedVenueQuery,
  Pipeline,
  RsvpSimulator,
  type VenueCountQuery,
} from '@rsvp/core';
import { Container, ContainerModule } from 'inversify';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { type Config, DEFAULT_RATE } from './config.js';
import { RsvpMetrics } from './metrics.js';
import { type MetricsServer, startMetricsServer } from './metrics-server.js';
import { systemClock } from './system-clock.js';
import { APP, PORTS, type Token } from './tokens.js';

/** Typed lookup: the token carries the type it was bound to. Async, for adapters that connect first. */
export function resolve<T>(container: Container, token: Token<T>): Promise<T> {
  return container.getAsync<T>(token);
}

/**
 * The messages to feed in: a replayed file, or the simulator, paced by `--rate`. Without `--rate`, a replay
 * and a simulation of `--count` messages run as fast as they are taken; an endless simulation runs at 200/s.
 */
export function messagesFor(config: Config, clock: Clock): AsyncIterable<Uint8Array | string> {
  if (config.replay !== undefined) {
    const lines = readNdjsonLines(config.replay);
    return config.rate === undefined ? lines : paced(lines, { rate: config.rate, clock });
  }
  const simulator = new RsvpSimulator({ seed: config.seed, venueCount: config.venues });
  if (config.rate === undefined && config.count !== undefined) return unpaced(simulator, clock, config.count);
  return simulatedMessages({
    simulator,
    clock,
    rate: config.rate ?? DEFAULT_RATE,
    ...(config.count !== undefined && { limit: config.count }),
  });
}

/** `count` messages of the simulator, dated by the clock as they are taken, with no pause between them. */
async function* unpaced(simulator: RsvpSimulator, clock: Clock, count: number): AsyncGenerator<string> {
  for (let sent = 0; sent < count; sent++) yield simulator.next(clock.now());
}

/** Process-wide things: configuration, the system clock, the logger, the metrics (served on `--metrics-port`). */
export function runtimeModule(config: Config, logger: Logger): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(APP.Config).toConstantValue(config);
    bind(APP.Logger).toConstantValue(logger);
    bind(PORTS.Clock).toConstantValue(systemClock);
    const metrics = new RsvpMetrics();
    bind(APP.Metrics).toConstantValue(metrics);
    bind<MetricsServer>(APP.MetricsServer)
      .toResolvedValue(async () => {
        if (config.metricsPort === undefined) throw new Error('no --metrics-port: nothing to serve metrics on');
        const server = await startMetricsServer(metrics.registry, config.host, config.metricsPort);
        logger.info({ metricsUrl: `${server.url}/metrics` }, `metrics on ${server.url}/metrics`);
        return server;
      })
      .inSingletonScope()
      .onDeactivation((server) => server.close());
  });
}

/** The embedded default: the chosen ports in this process's memory. */
export function memoryModule(config: Config): ContainerModule {
  return new ContainerModule(({ bind }) => {
    if (config.store === 'memory') {
      const store = new MemoryCountStore({ windowRetentionMs: config.windowRetentionMs }); // one object, every port
      bind<CountStore>(PORTS.CountStore).toConstantValue(store);
      bind<VenueCountQuery>(APP.StoreQuery).toConstantValue(store);
      bind<CountChangeFeed>(APP.ChangeFeed).toConstantValue(store);
      bind(APP.StoreReady).toConstantValue(async () => true);
    }
    if (config.source === 'memory') {
      // Keeps the latest thousand rejects for inspection; all of them are counted in the tallies.
      bind<DeadLetterSink>(PORTS.DeadLetterSink).toConstantValue(new MemoryDeadLetterSink(1_000));
      bind<EventSource>(PORTS.EventSource)
        .toResolvedValue(
          (clock: Clock) =>
            new MemoryEventSource({
              messages: messagesFor(config, clock),
              batchSize: config.batchSize,
              lingerMs: 200,
              clock,
            }),
          [PORTS.Clock],
        )
        .inSingletonScope()
        .onDeactivation((source) => source.stop());
    }
  });
}

/** RSVPs through Kafka: the consumer-group source, the dead-letter topic, the producer. */
export function kafkaModule(config: Config): ContainerModule {
  const { kafka: options } = config;
  const topics = [options.topic, options.deadLetterTopic].map((topic) => ({
    topic,
    partitions: options.partitions,
    replicationFactor: options.replicationFactor,
    minInSyncReplicas: options.minInSyncReplicas,
  }));
  return new ContainerModule(({ bind }) => {
    bind<Kafka>(APP.Kafka)
      .toResolvedValue(
        async (logger: Logger) => {
          const kafka = createKafka({
            ...options.connection,
            log: (level, message, extra) => logger[level]({ kafka: extra }, `Kafka: ${message}`),
          });
          await ensureTopics(kafka, topics);
          return kafka;
        },
        [APP.Logger],
      )
      .inSingletonScope();
    bind<KafkaRecordSender>(APP.KafkaProducer)
      .toResolvedValue(
        async (kafka: Kafka) => {
          // Idempotent, acks=all, one send per partition at a time (see KafkaRecordSender), murmur2 of the key.
          const sender = createRecordSender(kafka);
          await sender.connect();
          return sender;
        },
        [APP.Kafka],
      )
      .inSingletonScope()
      .onDeactivation((sender) => sender.disconnect());
    bind<EventSource>(PORTS.EventSource)
      .toResolvedValue(
        (kafka: Kafka, metrics: RsvpMetrics) => {
          const source = new KafkaEventSource(kafka, {
            topic: options.topic,
            groupId: options.groupId,
            maxBatchRecords: config.batchSize,
            sessionTimeoutMs: options.sessionTimeoutMs,
          });
          metrics.watchConsumerLag(() => source.lag());
          return source;
        },
        [APP.Kafka, APP.Metrics],
      )
      .inSingletonScope()
      .onDeactivation((source) => source.stop());
    bind<DeadLetterSink>(PORTS.DeadLetterSink)
      .toResolvedValue(
        (sender: KafkaRecordSender) => new KafkaDeadLetterSink(sender, options.deadLetterTopic),
        [APP.KafkaProducer],
      )
      .inSingletonScope();
  });
}

/** Counts in Cassandra: one store answers the pipeline and the API. */
export function cassandraModule(config: Config): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind<CassandraCountStore>(APP.CassandraStore)
      .toResolvedValue(() => createCassandraCountStore(config.cassandra))
      .inSingletonScope()
      .onDeactivation((store) => store.close());
    bind<CountStore>(PORTS.CountStore).toService(APP.CassandraStore);
    bind<VenueCountQuery>(APP.StoreQuery).toService(APP.CassandraStore);
    bind<CountChangeFeed>(APP.ChangeFeed).toService(APP.CassandraStore);
    bind(APP.StoreReady)
      .toResolvedValue((store: CassandraCountStore) => () => store.isReady(), [APP.CassandraStore])
      .inSingletonScope();
  });
}

/** The pipeline, and the API's maintained view, over whichever adapters are bound to the ports. */
export const pipelineModule = new ContainerModule(({ bind }) => {
  bind<VenueCountQuery>(PORTS.VenueCountQuery)
    .toResolvedValue(
      (feed: CountChangeFeed, clock: Clock, config: Config, logger: Logger) => {
        const query = new MaintainedVenueQuery(feed, clock, {
          refreshMs: config.viewRefreshMs,
          windowRetentionMs: config.windowRetentionMs,
          onError: (error) =>
            logger.warn({ err: error }, 'the view could not read new changes; answering from what it has'),
        });
        query.start();
        return query;
      },
      [APP.ChangeFeed, PORTS.Clock, APP.Config, APP.Logger],
    )
    .inSingletonScope()
    .onDeactivation((query) => (query as MaintainedVenueQuery).stop());
  bind<Pipeline>(APP.Pipeline)
    .toResolvedValue(
      (store: CountStore, deadLetters: DeadLetterSink, clock: Clock, config: Config, metrics: RsvpMetrics) =>
        new Pipeline(
          { store, deadLetters, clock, onBatchStored: (report) => metrics.batchStored(report) },
          config.pipeline,
        ),
      [PORTS.CountStore, PORTS.DeadLetterSink, PORTS.Clock, APP.Config, APP.Metrics],
    )
    .inSingletonScope();
});

/** The container for a configuration: the adapters it names, bound to the core's ports. */
export async function createContainer(config: Config, logger: Logger): Promise<Container> {
  const container = new Container();
  await container.load(
    runtimeModule(config, logger),
    memoryModule(config),
    ...(config.source === 'kafka' ? [kafkaModule(config)] : []),
    ...(config.store === 'cassandra' ? [cassandraModule(config)] : []),
    pipelineModule,
  );
  return container;
}
