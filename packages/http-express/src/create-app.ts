import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { VenueCountQuery, VenueRow, WindowSpec } from '@rsvp/core';
import cors from 'cors';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import Mustache from 'mustache';
import { apiError } from './api/errors.js';
import { citiesQuery, pageQuery, type QueryOptions, venueQuery } from './api/requests.js';
import type { CityChanges, Healthy, OriginalRow, Ready, WindowSpan } from './api/responses.js';
import { cityChanges, totalOf } from './cities.js';
import { DASHBOARD_CSS, dashboardPage, dashboardScript } from './dashboard-assets.js';
import { toFeatureCollection } from './geojson.js';
import { LiveFeed, type LiveFeedOptions } from './live-feed.js';
import { openApiDocument } from './openapi.js';
import { queryReader, toTopVenuesRequest, type VenueRequest, windowNamed } from './venue-request.js';

export interface AppDeps {
  readonly query: VenueCountQuery;
  /** The window families the processor counts; `?window=` takes their names. */
  readonly windows: readonly WindowSpec[];
  /** Whether the store answers; `/readyz` says 503 while it does not. Always ready when absent. */
  readonly isReady?: () => Promise<boolean>;
  /** The largest `?limit=` accepted. */
  readonly maxLimit?: number;
  /** Rows on `/api/top_venues` without `?limit=`. */
  readonly pageRows?: number;
  /** Hears about errors the API answered 500 for (to log them). */
  readonly onError?: (error: unknown) => void;
  /** Served at `/metrics` when given (e.g. a Prometheus registry's text). */
  readonly metrics?: { readonly contentType: string; render(): Promise<string> };
  /** Hears every answered request, by route pattern (not raw path): for request-duration metrics. */
  readonly onRequestDone?: (request: { method: string; route: string; status: number; seconds: number }) => void;
  /**
   * The live feed behind the dashboard (`/` and `/api/live`): poll interval, rows, points, history, and
   * whether it samples the total while nobody watches (`sampleWhileIdle`, on by default).
   */
  readonly live?: LiveFeedOptions;
  /**
   * Browsers reach the app over HTTPS (a TLS-terminating proxy in front): the CSP then tells them to
   * upgrade insecure requests, and HSTS is sent. Off by default: over plain HTTP an upgrade would send
   * the dashboard's own script and style sheet to an https:// that does not exist.
   */
  readonly behindTls?: boolean;
  /**
   * Pages of these origins (or of any, `'*'`) may read the GET API and `/api/live` (CORS, without
   * credentials); those answers then carry `Cross-Origin-Resource-Policy: cross-origin`. Off when absent.
   */
  readonly corsOrigins?: readonly string[] | '*';
}

/** The routes other origins may read when `corsOrigins` is set: the GET API, its feed and its description. */
export const CROSS_ORIGIN_ROUTES = ['/api/data', '/api/venues.geojson', '/api/cities', '/api/live', '/openapi.json'];

/** The app, with what a server needs to close cleanly. */
export interface RsvpApp extends Express {
  /**
   * Ends every `/api/live` stream and stops the live feed and its sampler for good (later streams answer
   * 503): call it before `server.close()`, which otherwise waits for those streams. A server made by
   * `app.listen()` also stops the feed when it closes.
   */
  closeStreams(): void;
  /** The live feed (for tests and metrics): samples the total once per interval until closed. */
  readonly liveFeed: LiveFeed;
}

const PAGE = readFileSync(new URL('../templates/top-venues.mustache', import.meta.url), 'utf8');
Mustache.parse(PAGE);

export function toOriginalRow(row: VenueRow): OriginalRow {
  return { count: row.count, group_city: row.groupCity, lat: row.lat, lon: row.lon, venue_name: row.venueName };
}

/** CORS for GET and HEAD from the given origins, and the resource policy that lets them embed the answers. */
function crossOrigin(origins: readonly string[] | '*'): RequestHandler {
  const allow = cors({ origin: origins === '*' ? '*' : [...origins], methods: ['GET', 'HEAD'], maxAge: 600 });
  return (req, res, next) => {
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    allow(req, res, next);
  };
}

/** The API as an Express app, without a socket: `app.listen()` it, or hand it to a test. */
export function createApp(deps: AppDeps): RsvpApp {
  const maxLimit = deps.maxLimit ?? 10_000;
  const pageRows = deps.pageRows ?? 20;
  const queryOptions: QueryOptions = { windowNames: deps.windows.map((w) => w.name), maxLimit };
  // Compiled once: the same schemas the OpenAPI document lists as parameters.
  const readVenueQuery = queryReader(venueQuery(queryOptions));
  const readPageQuery = queryReader(pageQuery({ ...queryOptions, pageRows }));
  const readCitiesQuery = queryReader(citiesQuery(queryOptions));
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  const behindTls = deps.behindTls ?? false;
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: behindTls ? [] : null } },
      strictTransportSecurity: behindTls,
      // Browsers ignore (and warn about) these from an origin that is not secure.
      crossOriginOpenerPolicy: behindTls,
      originAgentCluster: behindTls,
    }),
  );
  if (deps.corsOrigins !== undefined) app.use(CROSS_ORIGIN_ROUTES, crossOrigin(deps.corsOrigins));
  if (deps.onRequestDone) {
    const hear = deps.onRequestDone;
    app.use((req, res, next) => {
      const startedAt = process.hrtime.bigint();
      res.on('finish', () => {
        const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
        hear({
          method: req.method,
          route,
          status: res.statusCode,
          seconds: Number(process.hrtime.bigint() - startedAt) / 1e9,
        });
      });
      next();
    });
  }

  const rows = async (request: VenueRequest): Promise<VenueRow[]> => {
    const topVenues = await toTopVenuesRequest(request, deps.query);
    return topVenues === null ? [] : deps.query.topVenues(topVenues);
  };
  /** The request a valid query asks for; undefined once a 400 is answered for a bad one. */
  const badRequest = (
    res: Response,
    read: typeof readVenueQuery,
    query: Record<string, unknown>,
  ): VenueRequest | undefined => {
    const result = read(query);
    if (!result.ok) {
      res.status(400).json(result.problems[0]);
      return undefined;
    }
    const request = result.value;
    const window = windowNamed(deps.windows, request.window);
    return { ...(request.limit !== undefined && { limit: request.limit }), ...(window && { window }) };
  };

  app.get('/api/data', async (req, res) => {
    const request = badRequest(res, readVenueQuery, req.query);
    if (request) res.json((await rows(request)).map(toOriginalRow));
  });

  app.get('/api/venues.geojson', async (req, res) => {
    const request = badRequest(res, readVenueQuery, req.query);
    if (!request) return;
    const collection = toFeatureCollection(await rows(request));
    res.type('application/geo+json').send(JSON.stringify(collection));
  });

  app.get('/api/cities', async (req, res) => {
    const request = badRequest(res, readCitiesQuery, req.query);
    const spec = request?.window;
    if (!request || !spec) return;
    // The current window as /api/data decides it; the previous one is the window that ended where it starts.
    const current = (await toTopVenuesRequest({ window: spec }, deps.query))?.window;
    if (current === undefined) {
      res.json({ window: spec.name, current: null, previous: null, cities: [] } satisfies CityChanges);
      return;
    }
    const previous = { ...spec, start: current.start - spec.sizeMs };
    const [now, before] = await Promise.all([
      deps.query.topVenues({ window: current }),
      deps.query.topVenues({ window: previous }),
    ]);
    const cities = cityChanges(now, before);
    const span = (start: number, venues: VenueRow[]): WindowSpan => ({
      start: new Date(start).toISOString(),
      end: new Date(start + spec.sizeMs).toISOString(),
      total: totalOf(venues),
    });
    res.json({
      window: spec.name,
      current: span(current.start, now),
      previous: span(previous.start, before),
      cities: request.limit === undefined ? cities : cities.slice(0, request.limit),
    } satisfies CityChanges);
  });

  const feed = new LiveFeed({ query: deps.query, ...(deps.onError && { onError: deps.onError }) }, deps.live);
  // The rate history is kept whether anyone watches or not, so a page opened now has the last minutes.
  if (deps.live?.sampleWhileIdle !== false) feed.start();
  app.get('/api/live', (_req, res) => {
    if (feed.closed) {
      res.status(503).json(apiError('not_ready', 'the server is shutting down'));
      return;
    }
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write(`retry: ${Math.max(1000, feed.intervalMs * 2)}\n\n`);
    const unsubscribe = feed.subscribe({
      // A snapshot holds the whole state: a client too slow to take one misses it and gets the next.
      send: (message) => {
        if (!res.writableNeedDrain) res.write(message);
      },
      end: () => res.end(),
    });
    res.on('close', () => {
      unsubscribe();
      // The client went away (it may have only half-closed): end our side too, so the socket is let go.
      if (!res.writableEnded) res.end();
    });
  });

  const dashboard = dashboardPage(deps.windows);
  app.get('/', (_req, res) => {
    res.type('html').set('Cache-Control', 'no-cache').send(dashboard);
  });
  app.get('/dashboard.css', (_req, res) => {
    res.type('css').set('Cache-Control', 'no-cache').send(DASHBOARD_CSS);
  });
  app.get('/dashboard.js', async (_req, res) => {
    const script = await dashboardScript();
    res.type('js').set('Cache-Control', 'no-cache').send(script);
  });

  app.get('/api/top_venues', async (req, res) => {
    const request = badRequest(res, readPageQuery, req.query);
    if (!request) return;
    const top = await rows({ limit: pageRows, ...request });
    const scope = request.window ? `Current ${request.window.name} window` : 'All time';
    const view = { scope, rows: top.map((row, i) => ({ rank: i + 1, ...toOriginalRow(row) })) };
    res.type('html').send(Mustache.render(PAGE, view));
  });

  const description = openApiDocument({ windows: deps.windows, maxLimit, pageRows });
  app.get('/openapi.json', (_req, res) => {
    res.json(description);
  });

  if (deps.metrics) {
    const { metrics } = deps;
    app.get('/metrics', async (_req, res) => {
      res.type(metrics.contentType).send(await metrics.render());
    });
  }

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' } satisfies Healthy);
  });

  app.get('/readyz', async (_req, res) => {
    const ready = deps.isReady ? await deps.isReady().catch(() => false) : true;
    if (ready) res.json({ status: 'ready' } satisfies Ready);
    else res.status(503).json(apiError('not_ready', 'the count store does not answer'));
  });

  app.use((req, res) => {
    res.status(404).json(apiError('not_found', `no route for ${req.method} ${req.path}`));
  });

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    // Never a stack trace or a driver's message in a response: they go to the caller's log.
    deps.onError?.(error);
    res.status(500).json(apiError('internal', 'internal error'));
  };
  app.use(onError);
  // No timer outlives the server: closing a server that app.listen() made stops the sampler too.
  const listen = app.listen.bind(app) as (...args: unknown[]) => Server;
  const listenAndStop = (...args: unknown[]): Server => listen(...args).once('close', () => feed.close());
  return Object.assign(app, {
    listen: listenAndStop as Express['listen'],
    closeStreams: () => feed.close(),
    liveFeed: feed,
  });
}
