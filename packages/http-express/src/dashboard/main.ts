/// <reference lib="dom" />
import { CityTable } from './city-table.js';
import { formatClock, formatCount, formatRate, formatSpan } from './format.js';
import { RateChart } from './rate-chart.js';
import {
  type CitiesAnswer,
  type DataRow,
  type LiveSnapshot,
  type LiveUnavailable,
  limitsOf,
  maxGapOf,
  recentRate,
  type VenueView,
  viewOfRows,
  viewOfSnapshot,
} from './snapshot.js';
import { VenueMap } from './venue-map.js';
import { VenueTable } from './venue-table.js';

/** How often a picked window's venues and the rising cities are asked for again. */
const WINDOW_REFRESH_MS = 2000;
const CITIES_REFRESH_MS = 5000;
const CITIES_SHOWN = 10;

/**
 * The dashboard: one EventSource on /api/live; each snapshot updates the figures, chart, map and table.
 * With a window picked, the table and map show `/api/data?window=` instead; the rising cities come from
 * `/api/cities`.
 */
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
  const scopes = Array.from(document.querySelectorAll<HTMLElement>('.scope'));
  const windowButtons = Array.from(document.querySelectorAll<HTMLButtonElement>('#window-picker button'));
  const regionButtons = Array.from(document.querySelectorAll<HTMLButtonElement>('#map-regions button'));
  const citiesTable = document.getElementById('rising-cities') as HTMLTableElement | null;
  const cities =
    citiesTable === null
      ? undefined
      : new CityTable(citiesTable.tBodies[0] as HTMLTableSectionElement, element<HTMLElement>('cities-span'));

  const setStatus = (state: string, text: string) => {
    status.dataset.state = state;
    status.textContent = text;
  };

  /** The picked window family ('' for all time) and what was last shown for it. */
  let picked = '';
  let latest: LiveSnapshot | undefined;
  let windowAsked = 0;
  let windowAsking = false;
  let citiesAsked = 0;
  let citiesAsking = false;
  let flash = true;

  const show = (view: VenueView) => {
    table.update(view.top, {
      empty: picked === '' ? 'No RSVPs saying yes yet.' : `No RSVPs saying yes in the current ${picked} window.`,
      flash,
    });
    flash = true;
    map.update(view.points);
    mapMissing.textContent =
      view.withoutCoordinates > 0
        ? `${formatCount(view.withoutCoordinates)} venues without coordinates are not shown.`
        : '';
  };

  const fetchJson = async <T>(path: string): Promise<T> => {
    const response = await fetch(path, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return (await response.json()) as T;
  };

  const askWindow = async () => {
    if (picked === '' || latest === undefined || windowAsking) return;
    const family = picked;
    const limits = limitsOf(latest);
    const limit = Math.max(limits.rows, limits.points);
    windowAsking = true;
    windowAsked = Date.now();
    try {
      const path = `api/data?window=${encodeURIComponent(family)}`;
      // A server with a lower --max-limit refuses the limit: then every venue of the window.
      const rows = Number.isFinite(limit)
        ? await fetchJson<DataRow[]>(`${path}&limit=${Math.min(10_000, limit)}`).catch(() => fetchJson<DataRow[]>(path))
        : await fetchJson<DataRow[]>(path);
      if (family === picked) show(viewOfRows(rows, limits));
    } catch {
      // The next snapshot asks again; the status line tells about the feed.
    } finally {
      windowAsking = false;
    }
  };

  /** The rising cities of the picked window, or of the longest one while all time is shown. */
  const citiesWindow = (): string | undefined => {
    if (picked !== '') return picked;
    const longest = windowButtons
      .filter((button) => button.dataset.window !== '')
      .sort((a, b) => Number(b.dataset.sizeMs) - Number(a.dataset.sizeMs))[0];
    return longest?.dataset.window;
  };

  const askCities = async () => {
    const family = citiesWindow();
    if (cities === undefined || family === undefined || citiesAsking) return;
    citiesAsking = true;
    citiesAsked = Date.now();
    try {
      const answer = await fetchJson<CitiesAnswer>(
        `api/cities?window=${encodeURIComponent(family)}&limit=${CITIES_SHOWN}`,
      );
      if (family === citiesWindow()) {
        cities.update(answer);
        for (const label of Array.from(document.querySelectorAll('.cities-window'))) label.textContent = family;
      }
    } catch {
      // Asked again at the next refresh.
    } finally {
      citiesAsking = false;
    }
  };

  const pick = (family: string) => {
    picked = family;
    flash = false;
    for (const button of windowButtons) button.setAttribute('aria-pressed', String(button.dataset.window === family));
    for (const scope of scopes) scope.textContent = family === '' ? 'all time' : `current ${family} window`;
    document.body.dataset.window = family;
    if (family === '') {
      if (latest !== undefined) show(viewOfSnapshot(latest));
    } else {
      windowAsked = 0;
      void askWindow();
    }
    citiesAsked = 0;
    void askCities();
  };
  for (const button of windowButtons) button.addEventListener('click', () => pick(button.dataset.window ?? ''));

  const pressRegion = (region: string | undefined) => {
    for (const button of regionButtons) button.setAttribute('aria-pressed', String(button.dataset.region === region));
  };
  map.onViewChange = pressRegion;
  for (const button of regionButtons) {
    button.addEventListener('click', () => {
      const region = button.dataset.region ?? 'world';
      map.showRegion(region);
      pressRegion(region);
    });
  }

  let updates = 0;
  const render = (snapshot: LiveSnapshot) => {
    latest = snapshot;
    total.textContent = formatCount(snapshot.total);
    venues.textContent = formatCount(snapshot.venues);
    chartSpan.textContent = formatSpan(snapshot.history_ms);
    chart.update(snapshot);
    const rate = recentRate(snapshot.history, 10_000, maxGapOf(snapshot));
    rateNow.textContent = rate === null ? '–' : formatRate(rate);
    if (picked === '') show(viewOfSnapshot(snapshot));
    else if (Date.now() - windowAsked >= WINDOW_REFRESH_MS) void askWindow();
    if (Date.now() - citiesAsked >= CITIES_REFRESH_MS) void askCities();
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
