import type { LivePoint } from './snapshot.js';

/** A part of the world the map can show: a box in degrees, drawn around its middle meridian. */
export interface Region {
  readonly id: string;
  readonly label: string;
  readonly west: number;
  readonly south: number;
  readonly east: number;
  readonly north: number;
}

/** The map's preset regions; `world` leaves out most of Antarctica (no venues there). */
export const REGIONS: readonly Region[] = [
  { id: 'world', label: 'World', west: -180, south: -58, east: 180, north: 84 },
  { id: 'north-america', label: 'North America', west: -135, south: 14, east: -58, north: 60 },
  { id: 'south-america', label: 'South America', west: -86, south: -56, east: -32, north: 13 },
  { id: 'europe', label: 'Europe', west: -13, south: 35, east: 35, north: 64 },
  { id: 'africa', label: 'Africa', west: -19, south: -36, east: 53, north: 38 },
  { id: 'asia', label: 'Asia', west: 60, south: -10, east: 148, north: 55 },
  { id: 'oceania', label: 'Oceania', west: 110, south: -48, east: 180, north: -5 },
];

export function regionById(id: string): Region | undefined {
  return REGIONS.find((region) => region.id === id);
}

/** The box a region or the venues' bounds stand for, as points along its edges (for fitting a projection). */
export function edgePoints(box: Pick<Region, 'west' | 'south' | 'east' | 'north'>): [number, number][] {
  const points: [number, number][] = [];
  const steps = 12;
  for (let i = 0; i <= steps; i++) {
    const lon = box.west + ((box.east - box.west) * i) / steps;
    const lat = box.south + ((box.north - box.south) * i) / steps;
    points.push([lon, box.south], [lon, box.north], [box.west, lat], [box.east, lat]);
  }
  return points;
}

export interface Bounds {
  readonly west: number;
  readonly east: number;
  readonly south: number;
  readonly north: number;
  readonly step: number;
}

const ASPECT = 2;

/** Where the venues are, padded, on round degrees, widened to about 2:1; the world without venues. */
export function boundsOf(points: readonly Pick<LivePoint, 'lon' | 'lat'>[]): Bounds {
  if (points.length === 0) return { west: -180, east: 180, south: -90, north: 90, step: 30 };
  let [west, east, south, north] = [180, -180, 90, -90];
  for (const { lon, lat } of points) {
    west = Math.min(west, lon);
    east = Math.max(east, lon);
    south = Math.min(south, lat);
    north = Math.max(north, lat);
  }
  const span = Math.max(east - west, 2 * (north - south), 8);
  const step = [1, 2, 5, 10, 15, 30, 45].find((s) => span / s <= 8) ?? 60;
  west = Math.max(-180, Math.floor((west - span * 0.04) / step) * step);
  east = Math.min(180, Math.ceil((east + span * 0.04) / step) * step);
  south = Math.max(-90, Math.floor((south - span * 0.02) / step) * step);
  north = Math.min(90, Math.ceil((north + span * 0.02) / step) * step);
  // Widen the narrower side, by whole steps, toward 2:1 (as far as the world allows).
  while ((east - west) / (north - south) > ASPECT + 0.25 && (south > -90 || north < 90)) {
    if (north < 90) north = Math.min(90, north + step);
    if ((east - west) / (north - south) > ASPECT + 0.25 && south > -90) south = Math.max(-90, south - step);
  }
  while ((east - west) / (north - south) < ASPECT - 0.25 && (west > -180 || east < 180)) {
    if (east < 180) east = Math.min(180, east + step);
    if ((east - west) / (north - south) < ASPECT - 0.25 && west > -180) west = Math.max(-180, west - step);
  }
  return { west, east, south, north, step };
}
