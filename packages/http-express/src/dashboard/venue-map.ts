/// <reference lib="dom" />
import { formatCount } from './format.js';
import type { LivePoint } from './snapshot.js';
import { clear, svg } from './svg.js';

const WIDTH = 640;
const HEIGHT = 320;
const PAD = 4;
/** Venues drawn in the "top" colour. */
const TOP = 10;

interface Bounds {
  readonly west: number;
  readonly east: number;
  readonly south: number;
  readonly north: number;
  readonly step: number;
}

/**
 * Venues as circles on a longitude/latitude grid (equirectangular: one degree is as wide as it is high),
 * fitted to where the venues are. No tiles, no coastlines: a scatter that reads like a map.
 */
export class VenueMap {
  private readonly grid: SVGGElement;
  private readonly venues: SVGGElement;
  private bounds: Bounds | undefined;

  constructor(root: SVGSVGElement) {
    this.grid = svg('g', { class: 'grid' });
    this.venues = svg('g', { class: 'venues' });
    root.replaceChildren(this.grid, this.venues);
  }

  update(points: readonly LivePoint[]): void {
    const bounds = boundsOf(points);
    if (!sameBounds(bounds, this.bounds)) {
      this.bounds = bounds;
      this.drawGrid(bounds);
    }
    const scale = Math.min(
      (WIDTH - 2 * PAD) / (bounds.east - bounds.west),
      (HEIGHT - 2 * PAD) / (bounds.north - bounds.south),
    );
    const x = (lon: number) => WIDTH / 2 + (lon - (bounds.west + bounds.east) / 2) * scale;
    const y = (lat: number) => HEIGHT / 2 - (lat - (bounds.south + bounds.north) / 2) * scale;
    const most = Math.max(1, ...points.map((p) => p.count));
    // Circles are kept and moved rather than redrawn; the busiest first, so smaller ones stay on top.
    const circles = Array.from(this.venues.children) as SVGCircleElement[];
    points.forEach((point, i) => {
      let circle = circles[i];
      if (circle === undefined) {
        circle = svg('circle');
        circle.append(svg('title'));
        this.venues.append(circle);
      }
      circle.setAttribute('class', i < TOP ? 'venue top' : 'venue');
      circle.setAttribute('cx', x(point.lon).toFixed(1));
      circle.setAttribute('cy', y(point.lat).toFixed(1));
      circle.setAttribute('r', (2 + 12 * Math.sqrt(point.count / most)).toFixed(1));
      const title = circle.firstElementChild as SVGTitleElement;
      title.textContent = `${point.venue_name} — ${point.group_city}: ${formatCount(point.count)} RSVPs`;
    });
    for (const extra of circles.slice(points.length)) extra.remove();
  }

  private drawGrid(bounds: Bounds): void {
    const scale = Math.min(
      (WIDTH - 2 * PAD) / (bounds.east - bounds.west),
      (HEIGHT - 2 * PAD) / (bounds.north - bounds.south),
    );
    const x = (lon: number) => WIDTH / 2 + (lon - (bounds.west + bounds.east) / 2) * scale;
    const y = (lat: number) => HEIGHT / 2 - (lat - (bounds.south + bounds.north) / 2) * scale;
    const [left, right, top, bottom] = [x(bounds.west), x(bounds.east), y(bounds.north), y(bounds.south)];
    const items: SVGElement[] = [
      svg('rect', { class: 'map-frame', x: left, y: top, width: right - left, height: bottom - top }),
    ];
    // Lines inside the frame only, labelled along its bottom and left edges.
    for (let lon = bounds.west + bounds.step; lon < bounds.east - 1e-9; lon += bounds.step) {
      items.push(
        svg('line', {
          class: lon === 0 ? 'graticule major' : 'graticule',
          x1: x(lon),
          x2: x(lon),
          y1: top,
          y2: bottom,
        }),
        svg('text', { x: x(lon) + 2, y: bottom - 3 }, degrees(lon, 'E', 'W')),
      );
    }
    for (let lat = bounds.south + bounds.step; lat < bounds.north - 1e-9; lat += bounds.step) {
      items.push(
        svg('line', {
          class: lat === 0 ? 'graticule major' : 'graticule',
          x1: left,
          x2: right,
          y1: y(lat),
          y2: y(lat),
        }),
        svg('text', { x: left + 3, y: y(lat) - 3 }, degrees(lat, 'N', 'S')),
      );
    }
    clear(this.grid);
    this.grid.append(...items);
  }
}

/** Where the venues are, padded, on round degrees, widened to the drawing's 2:1 shape; the world without venues. */
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
  // Widen the narrower side, by whole steps, toward the 2:1 of the drawing (as far as the world allows).
  while ((east - west) / (north - south) > WIDTH / HEIGHT + 0.25 && (south > -90 || north < 90)) {
    if (north < 90) north = Math.min(90, north + step);
    if ((east - west) / (north - south) > WIDTH / HEIGHT + 0.25 && south > -90) south = Math.max(-90, south - step);
  }
  while ((east - west) / (north - south) < WIDTH / HEIGHT - 0.25 && (west > -180 || east < 180)) {
    if (east < 180) east = Math.min(180, east + step);
    if ((east - west) / (north - south) < WIDTH / HEIGHT - 0.25 && west > -180) west = Math.max(-180, west - step);
  }
  return { west, east, south, north, step };
}

function sameBounds(a: Bounds, b: Bounds | undefined): boolean {
  return b !== undefined && a.west === b.west && a.east === b.east && a.south === b.south && a.north === b.north;
}

function degrees(value: number, positive: string, negative: string): string {
  if (value === 0) return '0°';
  return `${Math.abs(value)}°${value > 0 ? positive : negative}`;
}
