import type { CityChange, CityChanges, LivePoint, LiveSnapshot, OriginalRow } from '../api/responses.js';

/**
 * What `GET /api/live` sends is declared once, as a schema, in api/responses.ts; the dashboard takes its
 * types only (`import type`: erased, so none of the schema code reaches the browser bundle).
 */
export type { LivePoint, LiveSnapshot, LiveUnavailable, LiveVenue } from '../api/responses.js';

/** One point of the rate chart: counted RSVPs per second between two polls, at the later poll's time. */
export interface RatePoint {
  readonly time: number;
  readonly perSecond: number;
}

/**
 * Counted RSVPs per second from the totals history: the change of the total between two polls over the
 * time between them. A gap longer than `maxGapMs` (the feed paused: nobody was watching) breaks the line,
 * so the result is a list of runs. Negative when RSVPs changed to "no" faster than new ones counted.
 */
export function rateRuns(history: LiveSnapshot['history'], maxGapMs: number): RatePoint[][] {
  const runs: RatePoint[][] = [];
  let run: RatePoint[] = [];
  for (let i = 1; i < history.length; i++) {
    const [t0, total0] = history[i - 1] as readonly [number, number];
    const [t1, total1] = history[i] as readonly [number, number];
    const dt = t1 - t0;
    if (dt <= 0) continue;
    if (dt > maxGapMs) {
      if (run.length > 0) runs.push(run);
      run = [];
      continue;
    }
    run.push({ time: t1, perSecond: ((total1 - total0) * 1000) / dt });
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** Polls further apart than this were not in a row: the feed paused (nobody was watching). */
export function maxGapOf(snapshot: Pick<LiveSnapshot, 'interval_ms'>): number {
  return Math.max(3 * snapshot.interval_ms, snapshot.interval_ms + 2000);
}

/**
 * Counted RSVPs per second over the last `spanMs` (or less, back to the last gap): steadier than the
 * rate between the last two polls. Null without two polls in a row.
 */
export function recentRate(history: LiveSnapshot['history'], spanMs: number, maxGapMs: number): number | null {
  const last = history[history.length - 1];
  if (last === undefined) return null;
  let first = last;
  for (let i = history.length - 2; i >= 0; i--) {
    const entry = history[i] as readonly [number, number];
    if (first[0] - entry[0] > maxGapMs || last[0] - entry[0] > spanMs) break;
    first = entry;
  }
  return first === last ? null : ((last[1] - first[1]) * 1000) / (last[0] - first[0]);
}

/** Up to about `count` round tick values covering [min, max]: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
  return ticks;
}

/** A row of `GET /api/data` (the original system's shape: coordinates as text). */
export type DataRow = OriginalRow;

/** A row of the top venues table, whatever it came from: `key` tells one venue from another. */
export interface TableVenue {
  readonly key: string;
  readonly venue_name: string;
  readonly group_city: string;
  readonly count: number;
}

/** What the table and the map show: the top venues, the venues with coordinates, those without. */
export interface VenueView {
  readonly top: readonly TableVenue[];
  readonly points: readonly LivePoint[];
  readonly withoutCoordinates: number;
}

/** The view of a live snapshot (all-time counts). */
export function viewOfSnapshot(snapshot: LiveSnapshot): VenueView {
  return {
    top: snapshot.top.map((venue) => ({ key: `id:${venue.venue_id}`, ...venue })),
    points: snapshot.points,
    withoutCoordinates: snapshot.without_coordinates,
  };
}

/**
 * The view of `/api/data?window=` rows, most RSVPs first: as many table rows and points as the live
 * snapshot shows (`rows`, `points`). Coordinates "0", "0" (or not numbers) mean none, as on the server.
 */
export function viewOfRows(rows: readonly DataRow[], limits: { rows: number; points: number }): VenueView {
  const points: LivePoint[] = [];
  let withoutCoordinates = 0;
  for (const row of rows) {
    const lat = Number(row.lat);
    const lon = Number(row.lon);
    const valid =
      row.lat.trim() !== '' &&
      row.lon.trim() !== '' &&
      Math.abs(lat) <= 90 &&
      Math.abs(lon) <= 180 &&
      !(lat === 0 && lon === 0);
    if (!valid) withoutCoordinates += 1;
    else if (points.length < limits.points)
      points.push({ lon, lat, count: row.count, venue_name: row.venue_name, group_city: row.group_city });
  }
  const top = rows.slice(0, limits.rows).map((row) => ({
    key: `${row.venue_name}\u0000${row.group_city}\u0000${row.lat}\u0000${row.lon}`,
    venue_name: row.venue_name,
    group_city: row.group_city,
    count: row.count,
  }));
  return { top, points, withoutCoordinates };
}

/**
 * How many table rows and points the server's live settings give (the snapshot does not say them):
 * fewer shown than there are means that is the limit; as many means every one fits.
 */
export function limitsOf(snapshot: LiveSnapshot): { rows: number; points: number } {
  const withCoordinates = snapshot.venues - snapshot.without_coordinates;
  return {
    rows: snapshot.top.length < snapshot.venues ? snapshot.top.length : Number.POSITIVE_INFINITY,
    points: snapshot.points.length < withCoordinates ? snapshot.points.length : Number.POSITIVE_INFINITY,
  };
}

/** One city of `GET /api/cities`. */
export type CityRow = CityChange;

/** `GET /api/cities`: the current and previous windows of a family (null before the first RSVP). */
export type CitiesAnswer = CityChanges;
