/// <reference lib="dom" />
import { formatClock, formatCount, formatRate, formatSpan } from './format.js';
import { RateChart } from './rate-chart.js';
import { type LiveSnapshot, type LiveUnavailable, maxGapOf, recentRate } from './snapshot.js';
import { VenueMap } from './venue-map.js';
import { VenueTable } from './venue-table.js';

/** The dashboard: one EventSource on /api/live; each snapshot updates the figures, chart, map and table. */
function start(): void {
  const element = <T extends Element>(id: string): T => {
    const found = document.getElementById(id);
    if (found === null) throw new Error(`the page has no #${id}`);
    return found as unknown as T;
  };
  const status = element<HTMLElement>('status');
  const total = element<HTMLElement>('total');
  const venues = element<HTMLElement>('venues');
  const rateNow = element<HTMLElement>('rate-now');
  const chartSpan = element<HTMLElement>('chart-span');
  const mapMissing = element<HTMLElement>('map-missing');
  const chart = new RateChart(element<SVGSVGElement>('rate-chart'));
  const map = new VenueMap(element<SVGSVGElement>('venue-map'));
  const table = new VenueTable(element<HTMLTableElement>('top-venues').tBodies[0] as HTMLTableSectionElement);

  const setStatus = (state: string, text: string) => {
    status.dataset.state = state;
    status.textContent = text;
  };

  let updates = 0;
  const render = (snapshot: LiveSnapshot) => {
    total.textContent = formatCount(snapshot.total);
    venues.textContent = formatCount(snapshot.venues);
    chartSpan.textContent = formatSpan(snapshot.history_ms);
    chart.update(snapshot);
    const rate = recentRate(snapshot.history, 10_000, maxGapOf(snapshot));
    rateNow.textContent = rate === null ? '–' : formatRate(rate);
    map.update(snapshot.points);
    mapMissing.textContent =
      snapshot.without_coordinates > 0
        ? `${formatCount(snapshot.without_coordinates)} venues without coordinates are not shown.`
        : '';
    table.update(snapshot.top);
    updates += 1;
    document.body.dataset.updates = String(updates);
    setStatus('live', `Live · ${formatClock(snapshot.time)}`);
  };

  const source = new EventSource('api/live');
  source.addEventListener('message', (event) => {
    let snapshot: LiveSnapshot;
    try {
      snapshot = JSON.parse((event as MessageEvent<string>).data) as LiveSnapshot;
    } catch {
      return;
    }
    render(snapshot);
  });
  source.addEventListener('unavailable', (event) => {
    let message = 'the count store does not answer';
    try {
      message = (JSON.parse((event as MessageEvent<string>).data) as LiveUnavailable).message;
    } catch {}
    setStatus('unavailable', `Unavailable: ${message}; retrying`);
  });
  source.addEventListener('error', () => {
    setStatus('reconnecting', source.readyState === EventSource.CLOSED ? 'Disconnected' : 'Reconnecting…');
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
