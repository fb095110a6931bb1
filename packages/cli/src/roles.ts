import { once } from 'node:events';
import { closeSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { publish } from '@rsvp/adapter-kafka';
import type { Tallies, VenueRow } from '@rsvp/core';
import { createApp } from '@rsvp/http-express';
import type { Container } from 'inversify';
import { type Config, ConfigError } from './config.js';
import { messagesFor, resolve } from './container.js';
import { logProgress, ProduceProgress, type ProgressTotal, type StatusLine } from './progress.js';
import { APP, PORTS } from './tokens.js';

/** A running role: `done` settles when it ends by itself (or after `stop`); `stop` ends it early. */
export interface RunningRole {
  readonly done: Promise<void>;
  stop(): Promise<void>;
  /** Where the API listens, for the roles that serve it. */
  readonly url?: string;
  /** Where `/metrics` is served with `--metrics-port`: `${metricsUrl}/metrics`. */
  readonly metricsUrl?: string;
}

/** `rsvp all`: producer, processor and API in one process, over the configured source and store. */
export async function startAll(container: Container): Promise<RunningRole> {
  const config = await resolve(container, APP.Config);
  const logger = await resolve(container, APP.Logger);
  if (config.replay !== undefined) replayFile(config.replay);
  const metricsUrl = await serveMetrics(container);
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
  return {
    done: Promise.all([input, api.done]).then(() => undefined),
    stop,
    url: api.url,
    ...(metricsUrl !== undefined && { metricsUrl }),
  };
}

/**
 * `rsvp process`: source → pipeline → store, until the input ends or the role is stopped; then a summary
 * (JSON, through `print`): the tallies (rejects by reason among them), the duration, the rate, the top venues.
 */
export async function startProcess(container: Container, print: (line: string) => void): Promise<RunningRole> {
  const metricsUrl = await serveMetrics(container);
  const query = await resolve(container, APP.StoreQuery);
  const startedAt = Date.now();
  const processor = await startProcessor(container);
  const done = processor.done.then(async () => {
    const tallies = processor.tallies();
    const durationMs = Date.now() - startedAt;
    const summary: { tallies: Tallies; durationMs: number; perSecond: number; topVenues: VenueRow[] } = {
      tallies,
      durationMs,
      perSecond: Math.round((tallies.received * 1000) / Math.max(1, durationMs)),
      topVenues: await query.topVenues({ limit: 10 }),
    };
    print(JSON.stringify(summary));
  });
  return { done, stop: processor.stop, ...(metricsUrl !== undefined && { metricsUrl }) };
}

export interface ProduceOptions {
  /**
   * Report the progress while producing: on this status line (stderr is a terminal), or else as a log
   * line every `--progress-interval`. Without it (`rsvp all`), only the summary at the end is logged.
   */
  readonly progress?: { readonly statusLine?: StatusLine | undefined };
}

/**
 * `rsvp produce`: the simulator or a replay into Kafka (`--source kafka`) or to stdout as NDJSON, with
 * progress on stderr and a summary logged at the end.
 */
export async function startProduce(
  container: Container,
  write: (line: string) => boolean,
  options: ProduceOptions = {},
): Promise<RunningRole> {
  const config = await resolve(container, APP.Config);
  const clock = await resolve(container, PORTS.Clock);
  const logger = await resolve(container, APP.Logger);
  const total = produceTotal(config);
  const metricsUrl = await serveMetrics(container);
  const toKafka = config.source === 'kafka';
  const producer = toKafka ? await resolve(container, APP.KafkaProducer) : undefined;
  const progress = new ProduceProgress({
    logger,
    destination: toKafka ? `topic ${config.kafka.topic}` : 'stdout',
    total,
    replay: config.replay !== undefined,
  });
  if (options.progress)
    progress.start({ statusLine: options.progress.statusLine, intervalMs: config.progressIntervalMs });
  let stopped = false;
  const messages = metered(
    until(messagesFor(config, clock), () => stopped),
    (bytes) => progress.onRead(bytes),
  );
  const send = producer
    ? publish(producer, messages, {
        topic: config.kafka.topic,
        batchSize: config.batchSize,
        clock,
        onSent: (sent, unkeyed) => progress.onSent(sent, unkeyed),
      })
    : (async () => {
        let sent = 0;
        for await (const message of messages) {
          const line = typeof message === 'string' ? message : Buffer.from(message).toString('utf8');
          const flushed = write(`${line}\n`);
          progress.onSent(++sent);
          if (!flushed) await once(process.stdout, 'drain');
        }
      })();
  const done = send.then(
    () => void progress.finish({ outcome: stopped ? 'stopped' : 'done' }),
    (error: unknown) => {
      progress.finish({ outcome: 'failed' });
      throw error;
    },
  );
  return {
    done,
    stop: async () => {
      stopped = true;
      await done.catch(() => {});
    },
    ...(metricsUrl !== undefined && { metricsUrl }),
  };
}

/** The total the ETA aims at: the replayed file's size, or `--count` simulated messages; none when endless. */
function produceTotal(config: Config): ProgressTotal | undefined {
  if (config.replay === undefined) {
    return config.count === undefined ? undefined : { unit: 'messages', value: config.count };
  }
  const stats = replayFile(config.replay);
  // A pipe or a device (`--replay /dev/stdin`) has no size to aim at.
  if (!stats.isFile()) return undefined;
  if (!config.replay.endsWith('.gz')) return { unit: 'bytes', value: stats.size };
  const size = gzipContentSize(config.replay, stats.size);
  return size === undefined ? undefined : { unit: 'bytes', value: size };
}

/** A gzip file's uncompressed size, from its trailer (ISIZE: the size modulo 2^32, enough for a replay). */
function gzipContentSize(path: string, fileSize: number): number | undefined {
  if (fileSize < 18) return undefined;
  const fd = openSync(path, 'r');
  try {
    const trailer = Buffer.alloc(4);
    readSync(fd, trailer, 0, 4, fileSize - 4);
    return trailer.readUInt32LE(0);
  } finally {
    closeSync(fd);
  }
}

/** The file to replay, checked up front: a missing one is bad usage (exit 2), not a failure while running. */
function replayFile(path: string): Stats {
  try {
    return statSync(path);
  } catch (error) {
    throw new ConfigError(`--replay: cannot read "${path}" (${(error as NodeJS.ErrnoException).code})`);
  }
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
  const metricsUrl = await serveMetrics(container);
  const api = await startApi(container);
  return { ...api, ...(metricsUrl !== undefined && { metricsUrl }) };
}

/** Starts `/metrics` on `--metrics-port` when it is set (once per container); returns its base URL. */
async function serveMetrics(container: Container): Promise<string | undefined> {
  const config = await resolve(container, APP.Config);
  if (config.metricsPort === undefined) return undefined;
  return (await resolve(container, APP.MetricsServer)).url;
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
    behindTls: config.behindTls,
    ...(config.corsOrigins !== undefined && { corsOrigins: config.corsOrigins }),
  });
  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const url = urlOf(server);
  logger.info({ url }, `API on ${url}/api/data and ${url}/api/top_venues; live dashboard on ${url}/`);
  const done = new Promise<void>((resolve) => server.once('close', () => resolve()));
  const stop = async () => {
    app.closeStreams(); // ends the dashboards' /api/live streams and stops the live feed's polling
    server.close();
    server.closeAllConnections();
    await done;
  };
  return { done, stop, url };
}

/** The processor: the event source feeding the pipeline, with a progress line. */
async function startProcessor(container: Container): Promise<RunningRole & { tallies(): Tallies }> {
  const config: Config = await resolve(container, APP.Config);
  if (config.source === 'memory' && config.replay !== undefined) replayFile(config.replay);
  const logger = await resolve(container, APP.Logger);
  const pipeline = await resolve(container, APP.Pipeline);
  const source = await resolve(container, PORTS.EventSource);
  const stopProgress = logProgress(pipeline, logger, config.progressIntervalMs);
  const done = source.run(pipeline).finally(stopProgress);
  return { done, stop: () => source.stop(), tallies: () => pipeline.tallies() };
}

/** Passes the messages on, telling `onRead` the size of each (a line of NDJSON: its newline included). */
async function* metered<T extends Uint8Array | string>(
  messages: AsyncIterable<T>,
  onRead: (bytes: number) => void,
): AsyncGenerator<T> {
  for await (const message of messages) {
    onRead((typeof message === 'string' ? Buffer.byteLength(message) : message.byteLength) + 1);
    yield message;
  }
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
