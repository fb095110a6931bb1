import type { TopVenuesRequest, VenueCountQuery, VenueRow } from '@rsvp/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LiveSnapshot } from './api/responses.js';
import { LiveFeed, type LiveSubscriber, TotalsRing } from './live-feed.js';

const row = (venueId: number, count: number, lat = '51.5', lon = '-0.12'): VenueRow => ({
  venueId,
  venueName: `Venue ${venueId}`,
  groupCity: venueId % 2 === 0 ? 'London' : 'Paris',
  lat,
  lon,
  count,
});

/** A query whose rows the test changes, recording every request. */
function controllableQuery(rows: VenueRow[]): VenueCountQuery & { asked: TopVenuesRequest[]; rows: VenueRow[] } {
  const query = {
    asked: [] as TopVenuesRequest[],
    rows,
    async topVenues(request: TopVenuesRequest) {
      query.asked.push(request);
      return query.rows.slice(0, request.limit);
    },
    async latestEventTime() {
      return null;
    },
  };
  return query;
}

/** A subscriber that keeps what it is sent. */
function listener(): LiveSubscriber & { messages: string[]; ended: boolean; snapshots(): LiveSnapshot[] } {
  const messages: string[] = [];
  const self = {
    messages,
    ended: false,
    send: (message: string) => messages.push(message),
    end: () => {
      self.ended = true;
    },
    snapshots: () =>
      messages.filter((m) => m.startsWith('data: ')).map((m) => JSON.parse(m.slice(6).trim()) as LiveSnapshot),
  };
  return self;
}

const feeds: LiveFeed[] = [];
function feedOf(
  query: VenueCountQuery,
  options: ConstructorParameters<typeof LiveFeed>[1] = {},
  onError?: (e: unknown) => void,
) {
  const feed = new LiveFeed({ query, ...(onError && { onError }) }, { intervalMs: 10, ...options });
  feeds.push(feed);
  return feed;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(() => {
  for (const feed of feeds.splice(0)) feed.close();
});

describe('LiveFeed', () => {
  it('does not poll before anyone subscribes', async () => {
    const query = controllableQuery([row(1, 3)]);
    const feed = feedOf(query);
    await sleep(40);
    expect(query.asked).toEqual([]);
    expect(feed.active).toBe(false);
  });

  it('sends a snapshot of the all-time counts at once to the first subscriber: top rows, total, points, history', async () => {
    const query = controllableQuery([row(1, 5), row(2, 3, '0', '0'), row(3, 2, '48.85', '2.35'), row(4, 1)]);
    const feed = feedOf(query, { rows: 2, points: 2 });
    const a = listener();
    feed.subscribe(a);
    await vi.waitFor(() => expect(a.messages.length).toBeGreaterThan(0));
    expect(query.asked[0]).toEqual({});
    const [snapshot] = a.snapshots();
    expect(snapshot).toMatchObject({
      interval_ms: 10,
      total: 11,
      venues: 4,
      top: [
        { venue_id: 1, venue_name: 'Venue 1', group_city: 'Paris', count: 5 },
        { venue_id: 2, venue_name: 'Venue 2', group_city: 'London', count: 3 },
      ],
      points: [
        { lon: -0.12, lat: 51.5, count: 5, venue_name: 'Venue 1', group_city: 'Paris' },
        { lon: 2.35, lat: 48.85, count: 2, venue_name: 'Venue 3', group_city: 'Paris' },
      ],
      without_coordinates: 1,
    });
    expect(snapshot?.history).toEqual([[snapshot?.time, 11]]);
  });

  it('polls once per interval for all subscribers together, and each gets every snapshot', async () => {
    const query = controllableQuery([row(1, 1)]);
    const feed = feedOf(query);
    const [a, b, c] = [listener(), listener(), listener()];
    feed.subscribe(a);
    feed.subscribe(b);
    feed.subscribe(c);
    await vi.waitFor(() => expect(feed.polls).toBeGreaterThanOrEqual(5));
    const polls = feed.polls;
    expect(query.asked.length).toBe(polls);
    for (const subscriber of [b, c]) expect(subscriber.messages.slice(-3)).toEqual(a.messages.slice(-3));
    expect(a.messages.length).toBe(polls);
  });

  it('hands a late subscriber the latest snapshot at once, history included', async () => {
    const query = controllableQuery([row(1, 1)]);
    const feed = feedOf(query);
    const a = listener();
    feed.subscribe(a);
    await vi.waitFor(() => expect(feed.polls).toBeGreaterThanOrEqual(3));
    const late = listener();
    feed.subscribe(late);
    expect(late.messages).toHaveLength(1);
    expect(late.snapshots()[0]?.history.length).toBeGreaterThanOrEqual(3);
  });

  it('keeps the totals of the last historyMs, oldest first, and follows the counts', async () => {
    const query = controllableQuery([row(1, 1)]);
    const feed = feedOf(query, { historyMs: 60 });
    const a = listener();
    feed.subscribe(a);
    await vi.waitFor(() => expect(feed.polls).toBeGreaterThanOrEqual(2));
    query.rows = [row(1, 4), row(2, 6)];
    await vi.waitFor(() => expect(a.snapshots().at(-1)?.total).toBe(10));
    await sleep(100);
    const last = a.snapshots().at(-1) as LiveSnapshot;
    const times = last.history.map(([t]) => t);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect((times[0] as number) >= last.time - 60).toBe(true);
    expect(last.history.at(-1)).toEqual([last.time, 10]);
    expect(last.history.length).toBeLessThanOrEqual(8);
  });

  it('stops polling when the last subscriber leaves, and starts again for the next', async () => {
    const query = controllableQuery([row(1, 1)]);
    const feed = feedOf(query);
    const a = listener();
    const b = listener();
    const leaveA = feed.subscribe(a);
    const leaveB = feed.subscribe(b);
    await vi.waitFor(() => expect(feed.polls).toBeGreaterThanOrEqual(2));
    leaveA();
    expect(feed.subscriberCount).toBe(1);
    leaveB();
    expect(feed.subscriberCount).toBe(0);
    expect(feed.active).toBe(false); // the next poll is cancelled at once (the fake answers at once: none in flight)
    const polls = feed.polls;
    await sleep(60);
    expect(feed.polls).toBe(polls);
    const c = listener();
    feed.subscribe(c);
    await vi.waitFor(() => expect(c.messages.length).toBeGreaterThan(0));
    expect(feed.polls).toBeGreaterThan(polls);
  });

  it('does not poll again when the last subscriber left during a poll', async () => {
    let answer: (rows: VenueRow[]) => void = () => {};
    let asked = 0;
    const slow: VenueCountQuery = {
      topVenues: () => {
        asked += 1;
        return new Promise((resolve) => {
          answer = resolve;
        });
      },
      latestEventTime: async () => null,
    };
    const feed = feedOf(slow);
    const a = listener();
    const leave = feed.subscribe(a);
    await vi.waitFor(() => expect(asked).toBe(1));
    leave();
    expect(feed.active).toBe(true); // the poll under way finishes
    answer([row(1, 1)]);
    await vi.waitFor(() => expect(feed.active).toBe(false));
    await sleep(50);
    expect(asked).toBe(1);
    expect(a.messages).toEqual([]);
  });

  it('tells subscribers when the store fails, reports the error, and recovers', async () => {
    const query = controllableQuery([row(1, 2)]);
    const errors: unknown[] = [];
    let failing = true;
    const flaky: VenueCountQuery = {
      topVenues: (request) => (failing ? Promise.reject(new Error('down')) : query.topVenues(request)),
      latestEventTime: async () => null,
    };
    const feed = feedOf(flaky, {}, (error) => errors.push(error));
    const a = listener();
    feed.subscribe(a);
    await vi.waitFor(() => expect(a.messages.length).toBeGreaterThan(0));
    expect(a.messages[0]).toBe('event: unavailable\ndata: {"message":"the count store does not answer"}\n\n');
    expect(errors[0]).toEqual(new Error('down'));
    failing = false;
    await vi.waitFor(() => expect(a.snapshots().length).toBeGreaterThan(0));
    expect(a.snapshots()[0]?.total).toBe(2);
  });

  it('close() ends every stream and stops polling for good', async () => {
    const query = controllableQuery([row(1, 1)]);
    const feed = feedOf(query);
    const a = listener();
    feed.subscribe(a);
    await vi.waitFor(() => expect(feed.polls).toBeGreaterThan(0));
    feed.close();
    expect(a.ended).toBe(true);
    expect(feed.active).toBe(false);
    const late = listener();
    feed.subscribe(late);
    expect(late.ended).toBe(true);
    const polls = feed.polls;
    await sleep(40);
    expect(feed.polls).toBe(polls);
  });
});

describe('LiveFeed.start(): the sampler', () => {
  it('polls while nobody listens, without building snapshots; the first subscriber gets the history at once', async () => {
    const query = controllableQuery([row(1, 2)]);
    const feed = feedOf(query);
    feed.start();
    expect(feed.sampling).toBe(true);
    await vi.waitFor(() => expect(feed.polls).toBeGreaterThanOrEqual(4));
    query.rows = [row(1, 5)];
    await vi.waitFor(() => expect(feed.polls).toBeGreaterThanOrEqual(7));
    expect(query.asked.length).toBe(feed.polls);
    const a = listener();
    feed.subscribe(a);
    await vi.waitFor(() => expect(a.snapshots().length).toBeGreaterThan(0));
    const [first] = a.snapshots();
    expect(first?.history.length).toBeGreaterThanOrEqual(7);
    expect(first?.history[0]?.[1]).toBe(2);
    expect(first?.history.at(-1)).toEqual([first?.time, 5]);
  });

  it('asks a query that keeps its total for that alone while nobody listens, and lists venues for listeners', async () => {
    const query = Object.assign(controllableQuery([row(1, 2), row(2, 1)]), {
      totals: 0,
      async allTimeTotal() {
        query.totals += 1;
        return 7;
      },
    });
    const feed = feedOf(query);
    feed.start();
    await vi.waitFor(() => expect(query.totals).toBeGreaterThanOrEqual(3));
    expect(query.asked).toEqual([]);
    const a = listener();
    feed.subscribe(a);
    await vi.waitFor(() => expect(a.snapshots().length).toBeGreaterThan(0));
    expect(query.asked.length).toBeGreaterThan(0);
    const [first] = a.snapshots();
    // The idle polls' totals came from allTimeTotal; the listener's poll sums the rows it listed.
    expect(first?.history[0]?.[1]).toBe(7);
    expect(first?.history.at(-1)?.[1]).toBe(3);
  });

  it('goes on when the last subscriber leaves, and close() stops it for good', async () => {
    const query = controllableQuery([row(1, 1)]);
    const feed = feedOf(query);
    feed.start();
    const leave = feed.subscribe(listener());
    await vi.waitFor(() => expect(feed.polls).toBeGreaterThanOrEqual(2));
    leave();
    const polls = feed.polls;
    await sleep(60);
    expect(feed.polls).toBeGreaterThan(polls);
    expect(feed.active).toBe(true);
    feed.close();
    expect(feed.sampling).toBe(false);
    await vi.waitFor(() => expect(feed.active).toBe(false));
    const stopped = feed.polls;
    await sleep(40);
    expect(feed.polls).toBe(stopped);
    feed.start();
    expect(feed.active).toBe(false);
  });

  it('reports a store that stays down once, not at every poll, and again after it recovered', async () => {
    let failing = true;
    const errors: unknown[] = [];
    const flaky: VenueCountQuery = {
      topVenues: async () => {
        if (failing) throw new Error('down');
        return [row(1, 1)];
      },
      latestEventTime: async () => null,
    };
    const feed = feedOf(flaky, {}, (error) => errors.push(error));
    feed.start();
    await vi.waitFor(() => expect(feed.polls).toBeGreaterThanOrEqual(5));
    expect(errors).toHaveLength(1);
    failing = false;
    const polls = feed.polls;
    await vi.waitFor(() => expect(feed.polls).toBeGreaterThan(polls + 1));
    failing = true;
    await vi.waitFor(() => expect(errors).toHaveLength(2));
  });
});

describe('TotalsRing', () => {
  it('keeps the newest entries up to its capacity, oldest first', () => {
    const ring = new TotalsRing(3);
    expect(ring.since(0)).toEqual([]);
    for (let t = 1; t <= 5; t++) ring.push(t * 10, t);
    expect(ring.since(0)).toEqual([
      [30, 3],
      [40, 4],
      [50, 5],
    ]);
    expect(ring.since(40)).toEqual([
      [40, 4],
      [50, 5],
    ]);
  });
});
