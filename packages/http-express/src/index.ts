export { type ApiErrorBody, apiError } from './api-error.js';
export { type CityChange, cityChanges } from './cities.js';
export { coordinatesOf } from './coordinates.js';
export {
  type AppDeps,
  CROSS_ORIGIN_ROUTES,
  createApp,
  type OriginalRow,
  type RsvpApp,
  toOriginalRow,
} from './create-app.js';
export type { LivePoint, LiveSnapshot, LiveUnavailable, LiveVenue } from './dashboard/snapshot.js';
export { toFeatureCollection, type VenueFeature, type VenueFeatureCollection } from './geojson.js';
export { LiveFeed, type LiveFeedOptions, type LiveSubscriber } from './live-feed.js';
export { type OpenApiOptions, openApiDocument } from './openapi.js';
