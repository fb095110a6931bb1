export { API_ERROR_CODES, ApiErrorBody, type ApiErrorCode, apiError } from './api/errors.js';
export {
  type CitiesQuery,
  citiesQuery,
  pageQuery,
  type QueryOptions,
  type VenueQuery,
  venueQuery,
} from './api/requests.js';
export {
  CityChange,
  CityChanges,
  Healthy,
  LivePoint,
  LiveSnapshot,
  LiveUnavailable,
  LiveVenue,
  OriginalRow,
  Ready,
  VenueFeature,
  VenueFeatureCollection,
  WindowSpan,
} from './api/responses.js';
export { cityChanges } from './cities.js';
export { coordinatesOf } from './coordinates.js';
export { type AppDeps, CROSS_ORIGIN_ROUTES, createApp, type RsvpApp, toOriginalRow } from './create-app.js';
export { toFeatureCollection } from './geojson.js';
export { LiveFeed, type LiveFeedOptions, type LiveSubscriber } from './live-feed.js';
export { type OpenApiOptions, openApiDocument } from './openapi.js';
