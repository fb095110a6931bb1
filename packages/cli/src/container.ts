import {
  MemoryCountStore,
  MemoryDeadLetterSink,
  MemoryEventSource,
  readNdjsonLines,
  simulatedMessages,
} from '@rsvp/adapter-memory';
import {
  type Clock,
  type CountStore,
  type DeadLetterSink,
  type EventSource,
  Pipeline,
  PORTS,
  RsvpSimulator,
  type Token,
  type VenueCountQuery,
} from '@rsvp/core';
import { Container, ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import { type Config, DEFAULT_RATE } from './config.js';
import { systemClock } from './system-clock.js';
import { APP } from './tokens.js';

/** Typed lookup: the token carries the type it was bound to. */
export function resolve<T>(container: Container, token: Token<T>): T {
  return container.get<T>(token);
}

/** The messages to feed in: a replayed file, or the simulator, paced by `--rate`. */
export function messagesFor(config: Config, clock: Clock): AsyncIterable<Uint8Array | string> {
  if (config.replay !== undefined) {
    const lines = readNdjsonLines(config.replay);
    return config.rate === undefined ? lines : paced(lines, config.rate, clock);
  }
  const simulator = new RsvpSimulator({ seed: config.seed, venueCount: config.venues });
  return simulatedMessages({
    simulator,
    clock,
    rate: config.rate ?? DEFAULT_RATE,
    ...(config.count !== undefined && { limit: config.count }),
  });
}

async function* paced<T>(items: AsyncIterable<T>, rate: number, clock: Clock): AsyncGenerator<T> {
  const startedAt = clock.now();
  let sent = 0;
  for await (const item of items) {
    const due = startedAt + (sent * 1000) / rate;
    if (due > clock.now()) await clock.sleep(due - clock.now());
    yield item;
    sent++;
  }
}

/** Process-wide things: configuration, the system clock, the logger. */
export function runtimeModule(config: Config, logger: Logger): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(APP.Config).toConstantValue(config);
    bind(APP.Logger).toConstantValue(logger);
    bind(PORTS.Clock).toConstantValue(systemClock);
  });
}

/** The embedded default: every port in this process's memory. */
export const memoryModule = new ContainerModule(({ bind }) => {
  const store = new MemoryCountStore(); // one object answers both ports
  bind<CountStore>(PORTS.CountStore).toConstantValue(store);
  bind<VenueCountQuery>(PORTS.VenueCountQuery).toConstantValue(store);
  // Keeps the latest thousand rejects for inspection; all of them are counted in the tallies.
  bind(PORTS.DeadLetterSink).toConstantValue(new MemoryDeadLetterSink(1_000));
  bind<EventSource>(PORTS.EventSource)
    .toResolvedValue(
      (config: Config, clock: Clock) =>
        new MemoryEventSource({
          messages: messagesFor(config, clock),
          batchSize: config.batchSize,
          lingerMs: 200,
          clock,
        }),
      [APP.Config, PORTS.Clock],
    )
    .inSingletonScope()
    .onDeactivation((source) => source.stop());
});

/** The pipeline, over whichever adapters are bound to the ports. */
export const pipelineModule = new ContainerModule(({ bind }) => {
  bind<Pipeline>(APP.Pipeline)
    .toResolvedValue(
      (store: CountStore, deadLetters: DeadLetterSink, clock: Clock, config: Config) =>
        new Pipeline({ store, deadLetters, clock }, config.pipeline),
      [PORTS.CountStore, PORTS.DeadLetterSink, PORTS.Clock, APP.Config],
    )
    .inSingletonScope();
});

export async function createContainer(config: Config, logger: Logger): Promise<Container> {
  const container = new Container();
  await container.load(runtimeModule(config, logger), memoryModule, pipelineModule);
  return container;
}
