import type { VenueRow } from '@rsvp/core';

/**
 * A venue's position as numbers, `[lon, lat]` (GeoJSON's order), or null when it has none: the original
 * data says `"0"`, `"0"` for a venue without coordinates; text that is not a number in range counts as none.
 */
export function coordinatesOf(row: Pick<VenueRow, 'lat' | 'lon'>): [lon: number, lat: number] | null {
  const lat = parseCoordinate(row.lat);
  const lon = parseCoordinate(row.lon);
  if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  if (lat === 0 && lon === 0) return null;
  return [lon, lat];
}

function parseCoordinate(text: string): number | null {
  if (!/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}
