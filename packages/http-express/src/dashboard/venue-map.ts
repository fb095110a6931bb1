/// <reference lib="dom" />
import { type GeoPermissibleObjects, type GeoProjection, geoGraticule10, geoNaturalEarth1, geoPath } from 'd3-geo';
import { feature, mesh } from 'topojson-client';
// Natural Earth 1:110m land and countries, bundled into the script: no tiles, nothing fetched.
import world from 'world-atlas/countries-110m.json' with { type: 'json' };
import { formatCount } from './format.js';
import { type Bounds, boundsOf, edgePoints, type Region, regionById } from './regions.js';
import type { LivePoint } from './snapshot.js';
import { svg } from './svg.js';

const WIDTH = 960;
const HEIGHT = 480;
const PAD = 8;
/** Venues drawn in the "top" colour. */
const TOP = 10;

type TopoObject = NonNullable<Parameters<typeof mesh>[1]>;
const topology = world as unknown as Parameters<typeof mesh>[0];
const objects = topology.objects as unknown as { land: TopoObject; countries: TopoObject };
const LAND = feature(topology, objects.land);
/** Borders between countries only: coastlines are the land's outline. */
const BORDERS = mesh(topology, objects.countries, (a, b) => a !== b);
const GRATICULE = geoGraticule10();
const SPHERE: GeoPermissibleObjects = { type: 'Sphere' };

/**
 * Venues as circles on a world map: Natural Earth land and country borders in the Natural Earth
 * projection, drawn as SVG paths. Preset regions, wheel to zoom, drag to pan; hover or focus a venue
 * (Tab, then the arrow keys) for its name, city and count.
 */
export class VenueMap {
  private readonly basemap: SVGGElement;
  private readonly paths: Record<'sphere' | 'graticule' | 'land' | 'borders' | 'outline', SVGPathElement>;
  private readonly venues: SVGGElement;
  private readonly tooltip: SVGGElement;
  private readonly projection: GeoProjection;
  private points: readonly LivePoint[] = [];
  private readonly circles = new Map<string, SVGCircleElement>();
  private readonly keys = new WeakMap<Element, string>();
  /** The venues' keys, most RSVPs first (the order of the arrow keys). */
  private order: string[] = [];
  /** The venue Tab reaches (one tab stop for the map), and the one whose label is shown. */
  private focused: string | undefined;
  private shown: string | undefined;
  private frame = 0;
  /** Hears when the view stops being a preset region (the user zoomed or panned). */
  onViewChange: (region: string | undefined) => void = () => {};

  constructor(private readonly root: SVGSVGElement) {
    this.projection = geoNaturalEarth1().precision(0.3);
    const path = (className: string) => svg('path', { class: className });
    this.paths = {
      sphere: path('sphere'),
      graticule: path('graticule'),
      land: path('land'),
      borders: path('borders'),
      outline: path('sphere-outline'),
    };
    this.basemap = svg('g', { class: 'basemap', 'aria-hidden': 'true' });
    this.basemap.append(...Object.values(this.paths));
    // Not a tab stop itself (Chromium makes a group with focusable children one): its venues are.
    this.venues = svg('g', { class: 'venues', role: 'list', 'aria-label': 'Venues, most RSVPs first', tabindex: -1 });
    this.tooltip = svg('g', { class: 'map-tooltip', 'aria-hidden': 'true', visibility: 'hidden' });
    this.tooltip.append(
      svg('rect', { rx: 4 }),
      svg('text', { class: 'tip-name' }),
      svg('text', { class: 'tip-detail' }),
    );
    root.replaceChildren(this.basemap, this.venues, this.tooltip);
    this.listen();
    this.showRegion('world');
  }

  /** Fits the map to a preset region, or to where the venues are (`venues`). */
  showRegion(id: string): void {
    const box: Region | Bounds | undefined = id === 'venues' ? boundsOf(this.points) : regionById(id);
    if (box === undefined) return;
    const middle = (box.west + box.east) / 2;
    this.projection
      .rotate([-middle, 0])
      .clipExtent(null)
      .fitExtent(
        [
          [PAD, PAD],
          [WIDTH - PAD, HEIGHT - PAD],
        ],
        { type: 'MultiPoint', coordinates: edgePoints(box) },
      )
      .clipExtent([
        [0, 0],
        [WIDTH, HEIGHT],
      ]);
    this.root.dataset.region = id;
    this.draw();
  }

  update(points: readonly LivePoint[]): void {
    this.points = points;
    this.drawVenues();
  }

  /** Redraws everything at the next frame (zooming and panning come faster than frames). */
  private redraw(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const path = geoPath(this.projection).digits(1);
    this.paths.sphere.setAttribute('d', path(SPHERE) ?? '');
    this.paths.graticule.setAttribute('d', path(GRATICULE) ?? '');
    this.paths.land.setAttribute('d', path(LAND) ?? '');
    this.paths.borders.setAttribute('d', path(BORDERS) ?? '');
    this.paths.outline.setAttribute('d', path(SPHERE) ?? '');
    this.drawVenues();
  }

  private drawVenues(): void {
    const points = this.points;
    const most = Math.max(1, ...points.map((p) => p.count));
    // One circle per venue, kept while the venue is shown: hovering or focusing follows the venue, not a rank.
    const keys = keysOf(points);
    const seen = new Set(keys);
    for (const [key, circle] of this.circles) {
      if (seen.has(key)) continue;
      circle.remove();
      this.circles.delete(key);
    }
    points.forEach((point, i) => {
      const key = keys[i] as string;
      let circle = this.circles.get(key);
      if (circle === undefined) {
        circle = svg('circle', { role: 'listitem' });
        circle.append(svg('title'));
        this.circles.set(key, circle);
        this.keys.set(circle, key);
        this.venues.append(circle);
      }
      const at = this.projection([point.lon, point.lat]);
      const inside = at !== null && at[0] >= 0 && at[0] <= WIDTH && at[1] >= 0 && at[1] <= HEIGHT;
      circle.setAttribute('class', `${i < TOP ? 'venue top' : 'venue'}${inside ? '' : ' outside'}`);
      circle.setAttribute('cx', (at?.[0] ?? -100).toFixed(1));
      circle.setAttribute('cy', (at?.[1] ?? -100).toFixed(1));
      circle.setAttribute('r', (2.5 + 14 * Math.sqrt(point.count / most)).toFixed(1));
      circle.dataset.rank = String(i + 1);
      const title = circle.firstElementChild as SVGTitleElement;
      const text = `${point.venue_name} — ${point.group_city}: ${formatCount(point.count)} RSVPs`;
      if (title.textContent !== text) title.textContent = text;
    });
    this.order = keys;
    // The tab stop: the venue last focused while it is in view, else the busiest in view.
    const inView = (key: string) => !this.circles.get(key)?.classList.contains('outside');
    if (this.focused === undefined || !seen.has(this.focused) || !inView(this.focused)) {
      this.focused = keys.find(inView) ?? keys[0];
    }
    for (const [key, circle] of this.circles) circle.setAttribute('tabindex', key === this.focused ? '0' : '-1');
    // Busiest first, so smaller circles stay on top; not while a venue has focus (moving it would blur it).
    const children = this.venues.children;
    const inOrder = keys.every((key, i) => children[i] === this.circles.get(key));
    if (!inOrder && !this.venues.contains(document.activeElement)) {
      for (const key of keys) this.venues.append(this.circles.get(key) as SVGCircleElement);
    }
    if (this.shown !== undefined) this.showTooltip(this.shown);
  }

  private showTooltip(key: string): void {
    const index = this.order.indexOf(key);
    const point = this.points[index];
    const circle = this.circles.get(key);
    if (point === undefined || circle === undefined || circle.classList.contains('outside')) {
      this.hideTooltip();
      return;
    }
    this.shown = key;
    const [rect, name, detail] = Array.from(this.tooltip.children) as [SVGRectElement, SVGTextElement, SVGTextElement];
    name.textContent = truncate(point.venue_name, 48);
    detail.textContent = `${truncate(point.group_city, 40)} · ${formatCount(point.count)} RSVPs · #${index + 1}`;
    const width = Math.max(name.getComputedTextLength(), detail.getComputedTextLength()) + 20;
    const height = 44;
    name.setAttribute('x', '10');
    name.setAttribute('y', '18');
    detail.setAttribute('x', '10');
    detail.setAttribute('y', '35');
    rect.setAttribute('width', width.toFixed(1));
    rect.setAttribute('height', String(height));
    const cx = Number(circle.getAttribute('cx'));
    const cy = Number(circle.getAttribute('cy'));
    const r = Number(circle.getAttribute('r'));
    // Right of the venue, or left of it near the right edge; kept inside the map.
    let x = cx + r + 6;
    if (x + width > WIDTH - 2) x = cx - r - 6 - width;
    x = Math.max(2, Math.min(WIDTH - width - 2, x));
    const y = Math.max(2, Math.min(HEIGHT - height - 2, cy - height / 2));
    this.tooltip.setAttribute('transform', `translate(${x.toFixed(1)},${y.toFixed(1)})`);
    this.tooltip.setAttribute('visibility', 'visible');
    this.root.dataset.tooltip = String(index + 1);
    for (const [other, otherCircle] of this.circles) otherCircle.classList.toggle('active', other === key);
  }

  private hideTooltip(): void {
    this.shown = undefined;
    this.tooltip.setAttribute('visibility', 'hidden');
    delete this.root.dataset.tooltip;
    for (const circle of this.circles.values()) circle.classList.remove('active');
  }

  private keyOf(target: EventTarget | null): string | undefined {
    return target instanceof SVGCircleElement ? this.keys.get(target) : undefined;
  }

  private focusVenue(key: string): void {
    const circle = this.circles.get(key);
    if (circle === undefined) return;
    if (this.focused !== undefined) this.circles.get(this.focused)?.setAttribute('tabindex', '-1');
    this.focused = key;
    circle.setAttribute('tabindex', '0');
    if (document.activeElement !== circle) circle.focus();
  }

  /** The point in the drawing's coordinates under a pointer event. */
  private local(event: MouseEvent): [number, number] {
    const matrix = this.root.getScreenCTM();
    if (matrix === null) return [event.offsetX, event.offsetY];
    const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(matrix.inverse());
    return [point.x, point.y];
  }

  private zoom(factor: number, [px, py]: [number, number]): void {
    const scale = this.projection.scale();
    // Not below the whole world, not past street level.
    const world = this.worldScale();
    const next = Math.max(world, Math.min(world * 40, scale * factor));
    const f = next / scale;
    const [tx, ty] = this.projection.translate();
    this.projection.scale(next).translate([px - (px - tx) * f, py - (py - ty) * f]);
    this.viewChanged();
  }

  private worldScale(): number {
    const world = regionById('world') as Region;
    const probe = geoNaturalEarth1().fitExtent(
      [
        [PAD, PAD],
        [WIDTH - PAD, HEIGHT - PAD],
      ],
      { type: 'MultiPoint', coordinates: edgePoints(world) },
    );
    return probe.scale();
  }

  private viewChanged(): void {
    delete this.root.dataset.region;
    this.onViewChange(undefined);
    this.redraw();
  }

  private listen(): void {
    const root = this.root;
    root.addEventListener('pointerover', (event) => {
      const key = this.keyOf(event.target);
      if (key !== undefined) this.showTooltip(key);
    });
    root.addEventListener('pointerout', (event) => {
      if (this.keyOf(event.target) !== undefined && document.activeElement !== event.target) this.hideTooltip();
    });
    this.venues.addEventListener('focusin', (event) => {
      const key = this.keyOf(event.target);
      if (key === undefined) return;
      this.focusVenue(key);
      this.showTooltip(key);
    });
    this.venues.addEventListener('focusout', () => this.hideTooltip());
    this.venues.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.hideTooltip();
      // Through the venues in view, most RSVPs first.
      const visible = this.order.filter((key) => !this.circles.get(key)?.classList.contains('outside'));
      const at = this.focused === undefined ? -1 : visible.indexOf(this.focused);
      const moves: Record<string, number> = {
        ArrowRight: at + 1,
        ArrowDown: at + 1,
        ArrowLeft: at - 1,
        ArrowUp: at - 1,
        Home: 0,
        End: visible.length - 1,
      };
      const next = moves[event.key];
      if (next === undefined || visible.length === 0) return;
      event.preventDefault();
      const key = visible[Math.max(0, Math.min(visible.length - 1, next))] as string;
      this.focusVenue(key);
      this.showTooltip(key);
    });
    root.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        this.zoom(Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.002)), this.local(event));
      },
      { passive: false },
    );
    let drag: { id: number; x: number; y: number } | undefined;
    root.addEventListener('pointerdown', (event) => {
      if (event.button !== 0 || this.keyOf(event.target) !== undefined) return;
      const [x, y] = this.local(event);
      drag = { id: event.pointerId, x, y };
      root.setPointerCapture(event.pointerId);
      root.classList.add('dragging');
    });
    root.addEventListener('pointermove', (event) => {
      if (drag === undefined || event.pointerId !== drag.id) return;
      const [x, y] = this.local(event);
      const [tx, ty] = this.projection.translate();
      this.projection.translate([tx + x - drag.x, ty + y - drag.y]);
      drag = { ...drag, x, y };
      this.viewChanged();
    });
    const stop = (event: PointerEvent) => {
      if (drag === undefined || event.pointerId !== drag.id) return;
      drag = undefined;
      root.classList.remove('dragging');
    };
    root.addEventListener('pointerup', stop);
    root.addEventListener('pointercancel', stop);
    root.addEventListener('dblclick', (event) => this.zoom(2, this.local(event)));
  }
}

/** Tells venues apart (points carry no id): name, city and place, numbered when two are the same. */
function keysOf(points: readonly LivePoint[]): string[] {
  const seen = new Map<string, number>();
  return points.map((point) => {
    const key = `${point.venue_name}\u0000${point.group_city}\u0000${point.lon}\u0000${point.lat}`;
    const times = seen.get(key) ?? 0;
    seen.set(key, times + 1);
    return times === 0 ? key : `${key}\u0000${times}`;
  });
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
