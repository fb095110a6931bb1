/// <reference lib="dom" />
import { formatCount } from './format.js';
import type { TableVenue } from './snapshot.js';
import { showEmptyRow } from './table-body.js';

/**
 * The top venues table, updated in place: its rows are kept and their cells' text replaced (never markup),
 * and a count that changed flashes.
 */
export class VenueTable {
  constructor(private readonly body: HTMLTableSectionElement) {}

  /** `flash: false` when the rows change all at once (another window was picked). */
  update(top: readonly TableVenue[], { empty = 'No RSVPs saying yes yet.', flash = true } = {}): void {
    if (top.length === 0) {
      this.showEmpty(empty);
      return;
    }
    for (const row of Array.from(this.body.rows)) if (row.classList.contains('empty')) row.remove();
    while (this.body.rows.length < top.length) this.body.append(newRow());
    while (this.body.rows.length > top.length) this.body.rows[this.body.rows.length - 1]?.remove();
    top.forEach((venue, i) => {
      const row = this.body.rows[i] as HTMLTableRowElement;
      const [rank, name, city, count] = Array.from(row.cells);
      const changed = row.dataset.key !== venue.key || row.dataset.count !== String(venue.count);
      if (!changed) return;
      const isNew = row.dataset.key !== undefined;
      row.dataset.key = venue.key;
      row.dataset.count = String(venue.count);
      setText(rank, String(i + 1));
      setText(name, venue.venue_name);
      setText(city, venue.group_city);
      setText(count, formatCount(venue.count));
      if (isNew && count && flash) bump(count);
    });
  }

  private showEmpty(message: string): void {
    showEmptyRow(this.body, 4, message);
  }
}

function newRow(): HTMLTableRowElement {
  const row = document.createElement('tr');
  for (const className of ['rank', 'venue', 'city', 'count']) row.insertCell().className = className;
  return row;
}

function setText(cell: HTMLTableCellElement | undefined, text: string): void {
  if (cell && cell.textContent !== text) cell.textContent = text;
}

function bump(cell: HTMLTableCellElement): void {
  cell.classList.remove('bump');
  void cell.offsetWidth; // restarts the animation
  cell.classList.add('bump');
}
