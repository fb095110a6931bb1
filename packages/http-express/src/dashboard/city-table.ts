/// <reference lib="dom" />
import { formatCount } from './format.js';
import type { CitiesAnswer } from './snapshot.js';
import { showEmptyRow } from './table-body.js';

/** The rising cities of `/api/cities`: city, RSVPs now and in the window before, the change; text only. */
export class CityTable {
  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly span: HTMLElement,
  ) {}

  update(answer: CitiesAnswer): void {
    const { current, previous } = answer;
    this.span.textContent =
      current === null || previous === null
        ? ''
        : `now ${span(current.start, current.end)}, before ${span(previous.start, previous.end)} (UTC, event time)`;
    if (answer.cities.length === 0) {
      this.showEmpty(`No RSVPs in the current ${answer.window} window yet.`);
      return;
    }
    const rows = answer.cities.map((city) => {
      const row = document.createElement('tr');
      const cell = (text: string, className: string) => {
        const td = row.insertCell();
        td.className = className;
        td.textContent = text;
        return td;
      };
      cell(city.city, 'city');
      cell(formatCount(city.current), 'count');
      cell(formatCount(city.previous), 'count');
      const change = cell(
        `${city.change > 0 ? '+' : city.change < 0 ? '−' : ''}${formatCount(Math.abs(city.change))}`,
        'count change',
      );
      change.dataset.sign = city.change > 0 ? 'up' : city.change < 0 ? 'down' : 'flat';
      return row;
    });
    this.body.replaceChildren(...rows);
  }

  showEmpty(message: string): void {
    showEmptyRow(this.body, 4, message);
  }
}

/** A window's span in UTC (windows are aligned to UTC): `11:15–12:15`, or dates for windows of days. */
function span(start: string, end: string): string {
  const days = Date.parse(end) - Date.parse(start) >= 86_400_000;
  const part = (iso: string) => (days ? iso.slice(0, 10) : iso.slice(11, 16));
  return `${part(start)}–${part(end)}`;
}
