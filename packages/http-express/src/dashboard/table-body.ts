/** Replaces a table's rows with one row spanning its columns that says why there is nothing to show. */
export function showEmptyRow(body: HTMLTableSectionElement, columns: number, message: string): void {
  const row = document.createElement('tr');
  row.className = 'empty';
  const cell = row.insertCell();
  cell.colSpan = columns;
  cell.textContent = message;
  body.replaceChildren(row);
}
