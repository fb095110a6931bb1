import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCassandraCountStore } from '@rsvp/adapter-cassandra';
import { MemoryCountStore } from '@rsvp/adapter-memory';
import { type CountStore, DEFAULT_PIPELINE_SETTINGS, type VenueCountQuery, type VenueTotal } from '@rsvp/core';
import { createApp } from '@rsvp/http-express';
import { dropKeyspaces } from '@rsvp/testkit/harness';
import autocannon from 'autocannon';
import express, { type Express } from 'express';
import { type Comparison, compare, summarize } from './stats.js';

export interface ApiOptions {
  readonly venues: number;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly repetitions: number;
  /** Also measure over Cassandra (skipped, with the reason, when it does not answer). */
  readonly cassandra?: { readonly contactPoints: readonly string[]; readonly localDataCenter: string };
}

const ENDPOINTS = ['/api/data?limit=100', '/api/top_venues'] as const;
const PARTITIONS = 6;
const CHUNK = 500;
const CITIES = ['London', 'New York', 'Berlin', 'Tokyo', 'São Paulo', 'Sydney', 'Toronto', 'Paris'];
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 20;

/** Synthetic venue i: a Zipf-like count (venue 0 the busiest) and a stable display; venue ids from 20,000,000. */
export function syntheticVenue(i: number): VenueTotal {
  return {
    venueId: 20_000_000 + i,
    count: 1 + Math.floor(5_000 / (i + 1)),
    display: {
      venueName: `Venue ${i}`,
      groupCity: CITIES[i % CITIES.length] as string,
      lat: Math.round((51.5 + (i % 1000) / 1e4) * 1e6) / 1e6,
      lon: Math.round((-0.12 - (i % 997) / 1e4) * 1e6) / 1e6,
      mtime: 1_490_000_000_000 + i,
      rsvpId: 1_700_000_000 + i,
      offset: i,
    },
  };
}

/** `venues` venues spread over 6 partitions, Zipf-like counts, committed in chunks as a processor would. */
export async function fillStore(store: CountStore, venues: number): Promise<void> {
  for (let p = 0; p < PARTITIONS; p++) {
    const totals: VenueTotal[] = [];
    for (let i = p; i < venues; i += PARTITIONS) totals.push(syntheticVenue(i));
    for (let k = 0; k * CHUNK < totals.length; k++) {
      const venueChunk = totals.slice(k * CHUNK, (k + 1) * CHUNK);
      await store.commit({
        partition: `rsvps:${p}`,
        expectedNextOffset: k,
        nextOffset: k + 1,
        maxEventTime: 1_490_000_000_000 + venues,
        rsvps: [],
        venues: venueChunk,
        windows: [],
      });
    }
  }
}

async function listen(app: Express): Promise<{ url: string; server: Server }> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

function rsvpApp(query: VenueCountQuery): Express {
  return createApp({ query, windows: DEFAULT_PIPELINE_SETTINGS.windows });
}

/** A bare Express 5 handler answering the same bytes: what Express itself costs. */
function bareApp(bodies: ReadonlyMap<string, { type: string; body: Buffer }>): Express {
  const app = express();
  for (const [path, { type, body }] of bodies) {
    app.get(path.split('?')[0] as string, (_req, res) => {
      res.type(type).send(body);
    });
  }
  return app;
}

interface Load {
  readonly rps: number;
  readonly p99: number;
  readonly p50: number;
}

async function load(url: string, seconds: number, connections: number): Promise<Load> {
  // The load generator runs in a worker thread, off the server's event loop.
  const result = await autocannon({ url, connections, duration: seconds, workers: 1 });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx responses`);
  }
  return { rps: result['2xx'] / result.duration, p99: result.latency.p99, p50: result.latency.p50 };
}

async function bodyOf(url: string): Promise<{ type: string; body: Buffer }> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return {
    type: response.headers.get('content-type') ?? 'text/plain',
    body: Buffer.from(await response.arrayBuffer()),
  };
}

export async function apiLatency(options: ApiOptions, log: (line: string) => void): Promise<Comparison[]> {
  const closers: (() => Promise<void>)[] = [];
  const subjects = new Map<string, string>(); // name → base URL
  try {
    const memory = new MemoryCountStore();
    await fillStore(memory, options.venues);
    const memoryServer = await listen(rsvpApp(memory));
    closers.push(async () => void memoryServer.server.close());
    subjects.set('memory store', memoryServer.url);

    const bodies = new Map<string, { type: string; body: Buffer }>();
    for (const path of ENDPOINTS) bodies.set(path, await bodyOf(memoryServer.url + path));

    const cassandraOptions = options.cassandra;
    if (cassandraOptions) {
      const keyspace = `bench_api_${Date.now()}`;
      try {
        for (const queryCacheMs of [500, 0]) {
          const store = await createCassandraCountStore({ ...cassandraOptions, keyspace, queryCacheMs });
          closers.push(() => store.close());
          if (queryCacheMs === 500) {
            closers.push(() => dropKeyspaces([keyspace], cassandraOptions));
            await fillStore(store, options.venues);
          }
          const server = await listen(rsvpApp(store));
          closers.push(async () => void server.server.close());
          for (const path of ENDPOINTS) {
            const { body } = await bodyOf(server.url + path);
            if (!body.equals(bodies.get(path)?.body ?? Buffer.alloc(0)))
              throw new Error(`${path}: Cassandra answers differ`);
          }
          subjects.set(`Cassandra store, queryCacheMs ${queryCacheMs}`, server.url);
        }
      } catch (error) {
        log(`api: Cassandra skipped: ${error instanceof Error ? error.message : String(error)}`);
      }
    }

    const bare = await listen(bareApp(bodies));
    closers.push(async () => void bare.server.close());

    const results: Comparison[] = [];
    for (const path of ENDPOINTS) {
      const targets: [string, string][] = [['bare', bare.url], ...subjects];
      for (const [, base] of targets) await load(base + path, 1, options.connections); // warm-up
      const runs = new Map<string, Load[]>(targets.map(([name]) => [name, []]));
      for (let r = 0; r < options.repetitions; r++) {
        for (const [name, base] of targets)
          runs.get(name)?.push(await load(base + path, options.durationSeconds, options.connections));
      }
      const bareRuns = runs.get('bare') ?? [];
      for (const [name] of subjects) {
        const subject = runs.get(name) ?? [];
        const p99 = summarize(subject.map((run) => run.p99));
        log(
          `api: ${path} ${name}: ${Math.round(summarize(subject.map((run) => run.rps)).median)} req/s, p99 ${p99.median} ms`,
        );
        results.push(
          compare(
            `GET ${path}, ${name}`,
            'req/s',
            subject.map((run) => run.rps),
            { name: 'bare Express 5 handler, same bytes', samples: bareRuns.map((run) => run.rps) },
            TARGET_RATIO,
            {
              p99Ms: p99,
              p50Ms: summarize(subject.map((run) => run.p50)),
              yardstickP99Ms: summarize(bareRuns.map((run) => run.p99)),
              p99Target: { ms: TARGET_P99_MS, met: p99.median <= TARGET_P99_MS },
              venues: options.venues,
              connections: options.connections,
              durationSeconds: options.durationSeconds,
              responseBytes: bodies.get(path)?.body.length,
            },
          ),
        );
      }
    }
    return results;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
  }
}
