import type { VenueRow } from '@rsvp/core';
import type { VenueFeature, VenueFeatureCollection } from './api/responses.js';
import { coordinatesOf } from './coordinates.js';

/** The venues as GeoJSON points, in the rows' order; venues without coordinates are counted, not drawn. */
export function toFeatureCollection(rows: readonly VenueRow[]): VenueFeatureCollection {
  const features: VenueFeature[] = [];
  let withoutCoordinates = 0;
  for (const row of rows) {
    const coordinates = coordinatesOf(row);
    if (coordinates === null) {
      withoutCoordinates += 1;
      continue;
    }
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates },
      properties: { venue_name: row.venueName, group_city: row.groupCity, count: row.count },
    });
  }
  return { type: 'FeatureCollection', without_coordinates: withoutCoordinates, features };
}
