import {
  currentWindowStart,
  failure,
  type Result,
  success,
  type TopVenuesRequest,
  type VenueCountQuery,
  type WindowSpec,
} from '@rsvp/core';
import { type ApiErrorBody, apiError } from './api-error.js';

export interface VenueRequestOptions {
  readonly windows: readonly WindowSpec[];
  readonly maxLimit: number;
}

/** A validated `?limit=&window=`, with the window resolved against the latest event time. */
export interface VenueRequest {
  readonly limit?: number;
  readonly window?: WindowSpec;
}

/** Reads the query string; the error body for the first parameter out of bounds instead of a request. */
export function readVenueRequest(
  query: Record<string, unknown>,
  options: VenueRequestOptions,
): Result<VenueRequest, ApiErrorBody> {
  const { limit: limitText, window: windowText } = query;
  let limit: number | undefined;
  if (limitText !== undefined) {
    limit = typeof limitText === 'string' && /^[0-9]{1,9}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (!(limit >= 1 && limit <= options.maxLimit)) {
      return failure([
        apiError('invalid_parameter', `limit must be a whole number from 1 to ${options.maxLimit}`, 'limit'),
      ]);
    }
  }
  let window: WindowSpec | undefined;
  if (windowText !== undefined) {
    window = options.windows.find((spec) => spec.name === windowText);
    if (window === undefined) {
      const names = options.windows.map((spec) => spec.name).join(', ');
      return failure([
        apiError('invalid_parameter', `window must be one of: ${names || '(none configured)'}`, 'window'),
      ]);
    }
  }
  return success({ ...(limit !== undefined && { limit }), ...(window !== undefined && { window }) });
}

/** What to ask the store: the current window is the latest one at the greatest event time seen. */
export async function toTopVenuesRequest(
  request: VenueRequest,
  query: VenueCountQuery,
): Promise<TopVenuesRequest | null> {
  const limit = request.limit === undefined ? {} : { limit: request.limit };
  if (request.window === undefined) return limit;
  const latest = await query.latestEventTime();
  if (latest === null) return null;
  return { ...limit, window: { ...request.window, start: currentWindowStart(request.window, latest) } };
}
