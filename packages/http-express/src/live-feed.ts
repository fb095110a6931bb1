import type { VenueCountQuery, VenueRow } from '@rsvp/core';
import type { LivePoint, LiveSnapshot, LiveUnavailable } from './api/responses.js';
import { totalOf } from './cities.js';
import { coordinatesOf } from './coordinates.js';

export interface LiveFeedOptions {
  /** How often the counts are polled while someone listens, in ms (default 1000). */
  readonly intervalMs?: number;
  /** Top venues in each snapshot (default 20). */
  readonly rows?: number;
  /** Venues with coordinates in each snapshot, the busiest (default 500). */
  readonly points?: number;
  /** How far back the totals history reaches, in ms (default 10 minutes). */
  readonly historyMs?: number;
  /**
   * `createApp` starts the feed's sampler (`start()`), so the history is there when a page opens: one
   * poll per interval while the app runs, whether anyone watches or not. `false` leaves it off (polls only
   * while someone watches, as a bare `LiveFeed` does). Default true.
   */
  readonly sampleWhileIdle?: boolean;
}

/** One listener of the feed: gets each message as Server-Sent Events text; `end` when the feed closes. */
export interface LiveSubscriber {
  send(message: string): void;
  end(): void;
}

export interface LiveFeedDeps {
  readonly query: VenueCountQuery;
  readonly now?: () => number;
  /** Hears about polls that failed, the first of each run of failures (subscribers get `unavailable` events). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Polls the all-time counts once per interval while anyone listens, or all the time once `start()`ed, and
 * pushes one snapshot per poll to every subscriber: one poll whatever the number of subscribers. Keeps the
 * totals of the last `historyMs` in a ring buffer, so a page opened now gets the recent history at once.
 * Without `start()` nothing is polled while nobody listens (a gap in the history); started, a poll
 * nobody hears only sums the counts (no snapshot is built).
 */
export class LiveFeed {
  readonly intervalMs: number;
  private readonly rows: number;
  private readonly points: number;
  private readonly historyMs: number;
  private readonly now: () => number;
  private readonly subscribers = new Set<LiveSubscriber>();
  private readonly history: TotalsRing;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  private last: string | undefined;
  private closedFlag = false;
  private samplingFlag = false;
  private failing = false;
  private pollCount = 0;

  constructor(
    private readonly deps: LiveFeedDeps,
    options: LiveFeedOptions = {},
  ) {
    this.intervalMs = positive(options.intervalMs, 1000);
    this.rows = positive(options.rows, 20);
    this.points = positive(options.points, 500);
    this.historyMs = positive(options.historyMs, 600_000);
    this.now = deps.now ?? Date.now;
    this.history = new TotalsRing(Math.ceil(this.historyMs / this.intervalMs) + 1);
  }

  /** Listens until the returned function is called; starts polling for the first subscriber. */
  subscribe(subscriber: LiveSubscriber): () => void {
    if (this.closedFlag) {
      subscriber.end();
      return () => {};
    }
    const running = this.subscribers.size > 0;
    this.subscribers.add(subscriber);
    if (running && this.last !== undefined) subscriber.send(this.last);
    // The first listener gets a snapshot now, not at the sampler's next poll.
    if (!running) this.pollNow();
    return () => {
      if (this.subscribers.delete(subscriber) && this.subscribers.size === 0 && !this.samplingFlag) this.pause();
    };
  }

  /** Polls from now until `close()`, whether anyone listens or not, so the history is always there. */
  start(): void {
    if (this.closedFlag || this.samplingFlag) return;
    this.samplingFlag = true;
    this.schedule(0);
  }

  /** Whether `start()` made it poll while nobody listens (until `close()`). */
  get sampling(): boolean {
    return this.samplingFlag;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Polls done so far (for tests and metrics). */
  get polls(): number {
    return this.pollCount;
  }

  /** Whether a poll is scheduled or under way. */
  get active(): boolean {
    return this.timer !== undefined || this.polling;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Ends every subscriber's stream and stops polling for good. */
  close(): void {
    this.closedFlag = true;
    this.samplingFlag = false;
    this.pause();
    const subscribers = [...this.subscribers];
    this.subscribers.clear();
    for (const subscriber of subscribers) subscriber.end();
  }

  private pause(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private wanted(): boolean {
    return !this.closedFlag && (this.samplingFlag || this.subscribers.size > 0);
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined || this.polling) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref?.();
  }

  /** Polls at once unless a poll is under way (its snapshot reaches the new listener too). */
  private pollNow(): void {
    if (this.polling) return;
    this.pause();
    this.schedule(0);
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (!this.wanted()) return;
    this.polling = true;
    const startedAt = this.now();
    let message: string | undefined;
    try {
      // A poll nobody hears only keeps the total (from the query when it keeps one: a maintained view at a
      // million venues would copy them all every second); the snapshot is built for listeners.
      const { query } = this.deps;
      if (this.subscribers.size > 0 || query.allTimeTotal === undefined) {
        const rows = await query.topVenues({});
        const time = this.now();
        const total = totalOf(rows);
        this.history.push(time, total);
        if (this.subscribers.size > 0) {
          message = `data: ${JSON.stringify(this.snapshot(rows, time, total))}\n\n`;
          this.last = message;
        } else this.last = undefined;
      } else {
        const total = await query.allTimeTotal();
        this.history.push(this.now(), total);
        this.last = undefined;
      }
      this.failing = false;
    } catch (error) {
      // Once per run of failures: the sampler polls a store that is down every interval.
      if (!this.failing) this.deps.onError?.(error);
      this.failing = true;
      const unavailable: LiveUnavailable = { message: 'the count store does not answer' };
      message = `event: unavailable\ndata: ${JSON.stringify(unavailable)}\n\n`;
    } finally {
      this.polling = false;
      this.pollCount += 1;
    }
    if (message !== undefined) for (const subscriber of [...this.subscribers]) subscriber.send(message);
    if (this.wanted()) this.schedule(Math.max(0, this.intervalMs - (this.now() - startedAt)));
  }

  private snapshot(rows: readonly VenueRow[], time: number, total: number): LiveSnapshot {
    const points: LivePoint[] = [];
    let withoutCoordinates = 0;
    for (const row of rows) {
      const coordinates = coordinatesOf(row);
      if (coordinates === null) withoutCoordinates += 1;
      else if (points.length < this.points) {
        const [lon, lat] = coordinates;
        points.push({ lon, lat, count: row.count, venue_name: row.venueName, group_city: row.groupCity });
      }
    }
    return {
      time,
      interval_ms: this.intervalMs,
      history_ms: this.historyMs,
      total,
      venues: rows.length,
      top: rows.slice(0, this.rows).map((row) => ({
        venue_id: row.venueId,
        venue_name: row.venueName,
        group_city: row.groupCity,
        count: row.count,
      })),
      history: this.history.since(time - this.historyMs),
      points,
      without_coordinates: withoutCoordinates,
    };
  }
}

/** A fixed-size ring of `[time, total]`, oldest overwritten first. */
export class TotalsRing {
  private readonly times: Float64Array;
  private readonly totals: Float64Array;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
    this.totals = new Float64Array(capacity);
  }

  push(time: number, total: number): void {
    this.times[this.next] = time;
    this.totals[this.next] = total;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** The entries at or after `time`, oldest first. */
  since(time: number): [number, number][] {
    const entries: [number, number][] = [];
    for (let i = 0; i < this.size; i++) {
      const at = (this.next - this.size + i + this.capacity) % this.capacity;
      const t = this.times[at] as number;
      if (t >= time) entries.push([t, this.totals[at] as number]);
    }
    return entries;
  }
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}
