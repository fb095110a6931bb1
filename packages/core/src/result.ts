import type { Problem } from './rsvp/problem.js';

/**
 * A value, or every problem that kept it from being made. Parsers and checks return it instead of throwing
 * (an RSVP, a window spec, an API request), so that a caller cannot use a value without looking first.
 */
export type Result<T, P = Problem> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly P[] };

export function success<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function failure<P>(problems: readonly P[]): Result<never, P> {
  return { ok: false, problems };
}
