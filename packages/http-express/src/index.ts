export { type ApiErrorBody, apiError } from './api-error.js';
export { type AppDeps, createApp, type OriginalRow, toOriginalRow } from './create-app.js';
export { type OpenApiOptions, openApiDocument } from './openapi.js';
