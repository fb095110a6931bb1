import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PORTS, type Tallies } from '@rsvp/core';
import { createApp } from '@rsvp/http-express';
import type { Container } from 'inversify';
import { ConfigError } from './config.js';
import { messagesFor, resolve } from './container.js';
import { logProgress } from './progress.js';
import { APP } from './tokens.js';

/** A running role: `done` settles when it ends by itself; `stop` ends it early. */
export interface RunningRole {
  readonly done: Promise<void>;
  stop(): Promise<void>;
  /** Where the API listens, for the roles that serve it. */
  readonly url?: string;
}

/** `rsvp all`: input → pipeline → store, and the API over the store, in one process. */
export async function startAll(container: Container): Promise<RunningRole> {
  const config = resolve(container, APP.Config);
  const logger = resolve(container, APP.Logger);
  const pipeline = resolve(container, APP.Pipeline);
  const source = resolve(container, PORTS.EventSource);
  const app = createApp({
    query: resolve(container, PORTS.VenueCountQuery),
    windows: config.pipeline.windows,
    onError: (error) => logger.error({ err: error }, 'request failed'),
  });
  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const url = urlOf(server);
  logger.info({ url }, `API on ${url}/api/data and ${url}/api/top_venues`);
  const stopProgress = logProgress(pipeline, logger, config.progressIntervalMs);
  let stopped = false;
  const input = source.run(pipeline).then(() => {
    const tallies = pipeline.tallies();
    if (stopped) logger.info({ tallies }, 'input stopped');
    else logger.info({ tallies }, 'input ended; the API keeps serving until stopped');
  });
  const serving = new Promise<void>((resolve) => server.once('close', resolve));
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    stopProgress();
    await source.stop();
    await new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
  };
  // The role ends when stopped, or fails when the input fails.
  const done = Promise.all([input, serving]).then(() => undefined);
  input.catch(() => stop());
  return { done, stop, url };
}

/** `rsvp process`: input → pipeline → store until the input ends; prints where every record went. */
export async function startProcess(container: Container, print: (line: string) => void): Promise<RunningRole> {
  const config = resolve(container, APP.Config);
  const logger = resolve(container, APP.Logger);
  const pipeline = resolve(container, APP.Pipeline);
  const source = resolve(container, PORTS.EventSource);
  const query = resolve(container, PORTS.VenueCountQuery);
  const stopProgress = logProgress(pipeline, logger, config.progressIntervalMs);
  const done = source
    .run(pipeline)
    .finally(stopProgress)
    .then(async () => {
      const summary: { tallies: Tallies; topVenues: unknown } = {
        tallies: pipeline.tallies(),
        topVenues: await query.topVenues({ limit: 10 }),
      };
      print(JSON.stringify(summary));
    });
  return { done, stop: () => source.stop() };
}

/** `rsvp produce`: writes messages as NDJSON to stdout (the Kafka publisher arrives with the Kafka adapter). */
export async function startProduce(container: Container, write: (line: string) => boolean): Promise<RunningRole> {
  const config = resolve(container, APP.Config);
  const clock = resolve(container, PORTS.Clock);
  let stopped = false;
  const done = (async () => {
    for await (const message of messagesFor(config, clock)) {
      if (stopped) break;
      const line = typeof message === 'string' ? message : Buffer.from(message).toString('utf8');
      if (!write(`${line}\n`)) await once(process.stdout, 'drain');
    }
  })();
  return {
    done,
    stop: async () => {
      stopped = true;
    },
  };
}

/** `rsvp serve`: the API over a store that other processes write. */
export async function startServe(): Promise<RunningRole> {
  throw new ConfigError(
    'rsvp serve reads counts that other processes write, and the memory store lives inside one process: ' +
      'run `rsvp all`, or `rsvp process` for a one-off count of a file',
  );
}

function urlOf(server: Server): string {
  const { address, port } = server.address() as AddressInfo;
  return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
}
