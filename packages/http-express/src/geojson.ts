import type { VenueRow } from '@rsvp/core';
import { coordinatesOf } from './coordinates.js';

export interface VenueFeature {
  readonly type: 'Feature';
  readonly geometry: { readonly type: 'Point'; readonly coordinates: readonly [lon: number, lat: number] };
  readonly properties: { readonly venue_name: string; readonly group_city: string; readonly count: number };
}

/** An RFC 7946 FeatureCollection, with how many of the rows were left out for having no coordinates. */
export interface VenueFeatureCollection {
  readonly type: 'FeatureCollection';
  readonly without_coordinates: number;
  readonly features: readonly VenueFeature[];
}

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
