/// <reference lib="dom" />
import { formatAgo, formatAxis } from './format.js';
import { type LiveSnapshot, maxGapOf, niceTicks, type RatePoint, rateRuns } from './snapshot.js';
import { clear, svg } from './svg.js';

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 14, bottom: 26, left: 46 };

/** Counted RSVPs per second over the totals history, as an SVG line chart redrawn at each snapshot. */
export class RateChart {
  constructor(private readonly root: SVGSVGElement) {}

  /** Draws the chart. */
  update(snapshot: LiveSnapshot): void {
    const runs = rateRuns(snapshot.history, maxGapOf(snapshot));
    const from = snapshot.time - snapshot.history_ms;
    const x = (time: number) =>
      MARGIN.left + ((time - from) / snapshot.history_ms) * (WIDTH - MARGIN.left - MARGIN.right);
    const rates = runs.flat().map((point) => point.perSecond);
    const { ticks, min, max } = yDomain(Math.min(0, ...rates), Math.max(1, ...rates));
    const y = (value: number) => MARGIN.top + ((max - value) / (max - min)) * (HEIGHT - MARGIN.top - MARGIN.bottom);

    const layers: SVGElement[] = [];
    for (const tick of ticks) {
      layers.push(
        svg('line', {
          class: tick === 0 ? 'zero-line' : 'grid-line',
          x1: MARGIN.left,
          x2: WIDTH - MARGIN.right,
          y1: y(tick),
          y2: y(tick),
        }),
        svg('text', { x: MARGIN.left - 6, y: y(tick) + 4, 'text-anchor': 'end' }, formatAxis(tick)),
      );
    }
    const step = timeStep(snapshot.history_ms);
    for (let ago = 0; ago <= snapshot.history_ms; ago += step) {
      const at = x(snapshot.time - ago);
      layers.push(
        svg('line', { class: 'axis-line', x1: at, x2: at, y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom + 4 }),
        svg('text', { x: at, y: HEIGHT - 8, 'text-anchor': ago === 0 ? 'end' : 'middle' }, formatAgo(ago)),
      );
    }
    layers.push(
      svg('line', {
        class: 'axis-line',
        x1: MARGIN.left,
        x2: WIDTH - MARGIN.right,
        y1: HEIGHT - MARGIN.bottom,
        y2: HEIGHT - MARGIN.bottom,
      }),
    );
    for (const run of runs) {
      const points = run.map((p) => `${x(p.time).toFixed(1)},${y(p.perSecond).toFixed(1)}`);
      const first = run[0] as RatePoint;
      const last = run[run.length - 1] as RatePoint;
      if (run.length === 1) {
        layers.push(svg('circle', { class: 'rate-line', cx: x(first.time), cy: y(first.perSecond), r: 2 }));
        continue;
      }
      const base = y(Math.max(min, 0)).toFixed(1);
      layers.push(
        svg('path', {
          class: 'rate-area',
          d: `M${x(first.time).toFixed(1)},${base}L${points.join('L')}L${x(last.time).toFixed(1)},${base}Z`,
        }),
        svg('path', { class: 'rate-line', d: `M${points.join('L')}` }),
      );
    }
    if (runs.length === 0) {
      layers.push(
        svg(
          'text',
          { class: 'chart-empty', x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle' },
          'Waiting for a second poll…',
        ),
      );
    }
    clear(this.root);
    this.root.append(...layers);
  }
}

function yDomain(low: number, high: number): { ticks: number[]; min: number; max: number } {
  const ticks = niceTicks(low, high, 4);
  const step = ticks.length > 1 ? (ticks[1] as number) - (ticks[0] as number) : 1;
  if ((ticks[ticks.length - 1] as number) < high) ticks.push((ticks[ticks.length - 1] as number) + step);
  if ((ticks[0] as number) > low) ticks.unshift((ticks[0] as number) - step);
  return { ticks, min: ticks[0] as number, max: ticks[ticks.length - 1] as number };
}

/** A round step for the time axis: at most six ticks over the history. */
function timeStep(historyMs: number): number {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);
  return steps.find((s) => historyMs / s <= 6) ?? historyMs;
}
