import type { VenueRow } from '@rsvp/core';
import type { CityChange } from './api/responses.js';

/**
 * Sums venue counts per city (`group_city`) in two windows: what is rising first (change, descending),
 * then the busiest now (current, descending), then by city name. An RSVP counts at one venue, so a city's
 * sum is its number of distinct RSVPs.
 */
export function cityChanges(current: readonly VenueRow[], previous: readonly VenueRow[]): CityChange[] {
  const sums = new Map<string, { current: number; previous: number }>();
  const sumOf = (city: string) => {
    let sum = sums.get(city);
    if (sum === undefined) {
      sum = { current: 0, previous: 0 };
      sums.set(city, sum);
    }
    return sum;
  };
  for (const row of current) sumOf(row.groupCity).current += row.count;
  for (const row of previous) sumOf(row.groupCity).previous += row.count;
  return [...sums]
    .map(([city, sum]) => ({ city, current: sum.current, previous: sum.previous, change: sum.current - sum.previous }))
    .sort(compareCityChanges);
}

export function compareCityChanges(a: CityChange, b: CityChange): number {
  if (a.change !== b.change) return b.change - a.change;
  if (a.current !== b.current) return b.current - a.current;
  if (a.city !== b.city) return a.city < b.city ? -1 : 1;
  return 0;
}

/** The total of a list of rows: distinct RSVPs counted over all of them. */
export function totalOf(rows: readonly VenueRow[]): number {
  let total = 0;
  for (const row of rows) total += row.count;
  return total;
}
