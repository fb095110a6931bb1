import { describe, expect, it } from 'vitest';
import { niceTicks, rateRuns, recentRate } from './snapshot.js';
import { boundsOf } from './venue-map.js';

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
