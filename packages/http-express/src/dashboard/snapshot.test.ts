import { describe, expect, it } from 'vitest';
import { boundsOf, edgePoints, REGIONS } from './regions.js';
import {
  type LiveSnapshot,
  limitsOf,
  niceTicks,
  rateRuns,
  recentRate,
  viewOfRows,
  viewOfSnapshot,
} from './snapshot.js';

describe('rateRuns', () => {
  it('turns totals into counted RSVPs per second between polls', () => {
    const history: [number, number][] = [
      [1000, 10],
      [2000, 14],
      [2500, 15],
      [3500, 13],
    ];
    expect(rateRuns(history, 3000)).toEqual([
      [
        { time: 2000, perSecond: 4 },
        { time: 2500, perSecond: 2 },
        { time: 3500, perSecond: -2 },
      ],
    ]);
  });

  it('breaks the line where polls were further apart than maxGapMs (nobody was watching)', () => {
    const history: [number, number][] = [
      [0, 0],
      [1000, 1],
      [2000, 3],
      [60_000, 100],
      [61_000, 104],
    ];
    expect(rateRuns(history, 3000)).toEqual([
      [
        { time: 1000, perSecond: 1 },
        { time: 2000, perSecond: 2 },
      ],
      [{ time: 61_000, perSecond: 4 }],
    ]);
  });

  it('has nothing to draw before a second poll', () => {
    expect(rateRuns([], 1000)).toEqual([]);
    expect(rateRuns([[5, 5]], 1000)).toEqual([]);
  });
});

describe('recentRate', () => {
  it('averages over the last span, back to the last gap', () => {
    const history: [number, number][] = [
      [0, 0],
      [30_000, 100],
      [32_000, 110],
      [34_000, 120],
      [36_000, 140],
      [38_000, 150],
    ];
    expect(recentRate(history, 4000, 3000)).toBe(7.5); // 34 s → 38 s
    expect(recentRate(history, 60_000, 3000)).toBe(6.25); // 30 s → 38 s: 0 → 30 s is a gap
    expect(recentRate(history, 60_000, 40_000)).toBeCloseTo(150 / 38);
    expect(recentRate([[5, 5]], 10_000, 5000)).toBeNull();
    expect(recentRate([], 10_000, 5000)).toBeNull();
  });
});

describe('niceTicks', () => {
  it('picks round steps', () => {
    expect(niceTicks(0, 10, 4)).toEqual([0, 5, 10]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.5, 1]);
    expect(niceTicks(-3, 7, 4)).toEqual([0, 5]);
    expect(niceTicks(-3, 7, 10)).toEqual([-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7]);
    expect(niceTicks(2, 2, 4)).toEqual([2]);
  });
});

describe('boundsOf (the venue map)', () => {
  it('shows the world when there are no venues', () => {
    expect(boundsOf([])).toEqual({ west: -180, east: 180, south: -90, north: 90, step: 30 });
  });

  it('fits the venues on round degrees, about twice as wide as high, within the world', () => {
    const europe = [
      { lon: -3.7, lat: 40.42 },
      { lon: 13.4, lat: 52.52 },
      { lon: 2.35, lat: 48.86 },
    ];
    const bounds = boundsOf(europe);
    for (const { lon, lat } of europe) {
      expect(lon > bounds.west && lon < bounds.east && lat > bounds.south && lat < bounds.north).toBe(true);
    }
    for (const edge of [bounds.west, bounds.east, bounds.south, bounds.north])
      expect(Math.abs(edge % bounds.step)).toBe(0);
    const ratio = (bounds.east - bounds.west) / (bounds.north - bounds.south);
    expect(ratio).toBeGreaterThan(1.5);
    expect(ratio).toBeLessThan(2.5);
    const world = boundsOf([
      { lon: -179, lat: -80 },
      { lon: 179, lat: 80 },
    ]);
    expect(world).toMatchObject({ west: -180, east: 180, south: -90, north: 90 });
  });
});

describe('viewOfRows (a window picked: /api/data?window= rows for the table and the map)', () => {
  const row = (venue_name: string, count: number, lat: string, lon: string, group_city = 'Oslo') => ({
    venue_name,
    group_city,
    count,
    lat,
    lon,
  });

  it('keeps the order, leaves out venues without coordinates from the points and counts them', () => {
    const rows = [
      row('A', 9, '59.91', '10.75'),
      row('Online', 8, '0', '0'),
      row('B', 7, '60.39', '5.32'),
      row('Bad', 6, '', 'x'),
      row('C', 5, '63.43', '10.39'),
    ];
    const view = viewOfRows(rows, { rows: 3, points: 2 });
    expect(view.top.map((venue) => [venue.venue_name, venue.count])).toEqual([
      ['A', 9],
      ['Online', 8],
      ['B', 7],
    ]);
    expect(view.points).toEqual([
      { lon: 10.75, lat: 59.91, count: 9, venue_name: 'A', group_city: 'Oslo' },
      { lon: 5.32, lat: 60.39, count: 7, venue_name: 'B', group_city: 'Oslo' },
    ]);
    expect(view.withoutCoordinates).toBe(2);
    expect(new Set(view.top.map((venue) => venue.key)).size).toBe(3);
  });

  it('tells apart venues of the same name in other cities or places', () => {
    const view = viewOfRows([row('Hub', 2, '1', '2'), row('Hub', 2, '1', '2', 'Bergen'), row('Hub', 1, '3', '4')], {
      rows: Number.POSITIVE_INFINITY,
      points: Number.POSITIVE_INFINITY,
    });
    expect(new Set(view.top.map((venue) => venue.key)).size).toBe(3);
  });
});

describe('limitsOf (the rows and points the live feed is set to, as its snapshots show them)', () => {
  const snapshot = (top: number, points: number, venues: number, without: number): LiveSnapshot => ({
    time: 0,
    interval_ms: 1000,
    history_ms: 600_000,
    total: venues,
    venues,
    top: Array.from({ length: top }, (_, i) => ({ venue_id: i, venue_name: `V${i}`, group_city: 'X', count: 1 })),
    history: [],
    points: Array.from({ length: points }, (_, i) => ({
      lon: i,
      lat: i,
      count: 1,
      venue_name: `V${i}`,
      group_city: 'X',
    })),
    without_coordinates: without,
  });

  it('reads a limit where fewer are shown than there are, and none where all fit', () => {
    expect(limitsOf(snapshot(20, 500, 4000, 10))).toEqual({ rows: 20, points: 500 });
    expect(limitsOf(snapshot(5, 3, 5, 2))).toEqual({
      rows: Number.POSITIVE_INFINITY,
      points: Number.POSITIVE_INFINITY,
    });
  });

  it('keys the live snapshot by venue id', () => {
    expect(viewOfSnapshot(snapshot(2, 0, 2, 2)).top.map((venue) => venue.key)).toEqual(['id:0', 'id:1']);
  });
});

describe('the map regions', () => {
  it('are boxes inside the world, the world first', () => {
    expect(REGIONS[0]?.id).toBe('world');
    for (const region of REGIONS) {
      expect(region.west).toBeLessThan(region.east);
      expect(region.south).toBeLessThan(region.north);
      expect(Math.abs(region.west) <= 180 && Math.abs(region.east) <= 180).toBe(true);
      expect(Math.abs(region.south) <= 90 && Math.abs(region.north) <= 90).toBe(true);
    }
  });

  it('edgePoints walks the edges of a box, corners included', () => {
    const points = edgePoints({ west: -10, south: 40, east: 30, north: 60 });
    for (const corner of [
      [-10, 40],
      [30, 60],
      [-10, 60],
      [30, 40],
    ])
      expect(points).toContainEqual(corner);
    for (const [lon, lat] of points) {
      expect(lon === -10 || lon === 30 || lat === 40 || lat === 60).toBe(true);
    }
  });
});
