import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { publish } from '@rsvp/adapter-kafka';
import { PORTS, type Tallies, type VenueRow } from '@rsvp/core';
import { createApp } from '@rsvp/http-express';
import type { Container } from 'inversify';
import { type Config, ConfigError } from './config.js';
import { messagesFor, resolve } from './container.js';
import { logProgress } from './progress.js';
import { APP } from './tokens.js';

/** A running role: `done` settles when it ends by itself (or after `stop`); `stop` ends it early. */
export interface RunningRole {
  readonly done: Promise<void>;
  stop(): Promise<void>;
  /** Where the API listens, for the roles that serve it. */
  readonly url?: string;
}

/** `rsvp all`: producer, processor and API in one process, over the configured source and store. */
export async function startAll(container: Container): Promise<RunningRole> {
  const config = await resolve(container, APP.Config);
  const logger = await resolve(container, APP.Logger);
  const api = await startApi(container);
  const producer = config.source === 'kafka' ? await startProduce(container, () => true) : undefined;
  const processor = await startProcessor(container);
  let stopped = false;
  const input = Promise.all([producer?.done, processor.done]).then(async () => {
    if (!stopped) logger.info({ tallies: processor.tallies() }, 'input ended; the API keeps serving until stopped');
  });
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await producer?.stop();
    await processor.stop();
    await api.stop();
  };
  input.catch(() => stop());
  return { done: Promise.all([input, api.done]).then(() => undefined), stop, url: api.url };
}

/** `rsvp process`: source → pipeline → store, until the input ends or the role is stopped; then a summary. */
export async function startProcess(container: Container, print: (line: string) => void): Promise<RunningRole> {
  const query = await resolve(container, PORTS.VenueCountQuery);
  const processor = await startProcessor(container);
  const done = processor.done.then(async () => {
    const summary: { tallies: Tallies; topVenues: VenueRow[] } = {
      tallies: processor.tallies(),
      topVenues: await query.topVenues({ limit: 10 }),
    };
    print(JSON.stringify(summary));
  });
  return { done, stop: processor.stop };
}

/** `rsvp produce`: the simulator or a replay into Kafka (`--source kafka`) or to stdout as NDJSON. */
export async function startProduce(container: Container, write: (line: string) => boolean): Promise<RunningRole> {
  const config = await resolve(container, APP.Config);
  const clock = await resolve(container, PORTS.Clock);
  const logger = await resolve(container, APP.Logger);
  let stopped = false;
  const messages = until(messagesFor(config, clock), () => stopped);
  const done =
    config.source === 'kafka'
      ? resolve(container, APP.KafkaProducer).then(async (producer) => {
          const sent = await publish(producer, messages, {
            topic: config.kafka.topic,
            batchSize: config.batchSize,
            clock,
          });
          logger.info({ sent, topic: config.kafka.topic }, `produced ${sent} messages`);
        })
      : (async () => {
          for await (const message of messages) {
            const line = typeof message === 'string' ? message : Buffer.from(message).toString('utf8');
            if (!write(`${line}\n`)) await once(process.stdout, 'drain');
          }
        })();
  return {
    done,
    stop: async () => {
      stopped = true;
      await done.catch(() => {});
    },
  };
}

/** `rsvp serve`: the API over a store that other processes write. */
export async function startServe(container: Container): Promise<RunningRole> {
  const config = await resolve(container, APP.Config);
  if (config.store === 'memory') {
    throw new ConfigError(
      'rsvp serve reads counts that other processes write, and the memory store lives inside one process: ' +
        'use --store cassandra, or run `rsvp all`',
    );
  }
  return startApi(container);
}

async function startApi(container: Container): Promise<RunningRole & { url: string }> {
  const config = await resolve(container, APP.Config);
  const logger = await resolve(container, APP.Logger);
  const metrics = await resolve(container, APP.Metrics);
  const app = createApp({
    query: await resolve(container, PORTS.VenueCountQuery),
    windows: config.pipeline.windows,
    isReady: await resolve(container, APP.StoreReady),
    onError: (error) => logger.error({ err: error }, 'request failed'),
    metrics: { contentType: metrics.registry.contentType, render: () => metrics.registry.metrics() },
    onRequestDone: (request) => metrics.requestDone(request),
  });
  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const url = urlOf(server);
  logger.info({ url }, `API on ${url}/api/data and ${url}/api/top_venues`);
  const done = new Promise<void>((resolve) => server.once('close', () => resolve()));
  const stop = async () => {
    server.close();
    server.closeAllConnections();
    await done;
  };
  return { done, stop, url };
}

/** The processor: the event source feeding the pipeline, with a progress line. */
async function startProcessor(container: Container): Promise<RunningRole & { tallies(): Tallies }> {
  const config: Config = await resolve(container, APP.Config);
  const logger = await resolve(container, APP.Logger);
  const pipeline = await resolve(container, APP.Pipeline);
  const source = await resolve(container, PORTS.EventSource);
  const stopProgress = logProgress(pipeline, logger, config.progressIntervalMs);
  const done = source.run(pipeline).finally(stopProgress);
  return { done, stop: () => source.stop(), tallies: () => pipeline.tallies() };
}

async function* until<T>(items: AsyncIterable<T>, stopped: () => boolean): AsyncGenerator<T> {
  for await (const item of items) {
    if (stopped()) return;
    yield item;
  }
}

function urlOf(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}
