import {
  currentWindowStart,
  failure,
  type Result,
  success,
  type TopVenuesRequest,
  type VenueCountQuery,
  type WindowSpec,
} from '@rsvp/core';
import Type, { type Static, type TObject, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { type ApiErrorBody, apiError } from './api/errors.js';
import { requiredOf } from './api/requests.js';

/** A validated `?limit=&window=`, with the window resolved to its family. */
export interface VenueRequest {
  readonly limit?: number;
  readonly window?: WindowSpec;
}

type QueryReader<T extends TObject> = (query: Record<string, unknown>) => Result<Static<T>, ApiErrorBody>;

/**
 * Reads a query string by its schema (api/requests.ts): each parameter's text is decoded to the value the
 * schema describes and checked by TypeBox's compiled validator; the first parameter at fault gets an error
 * body whose message is made from its schema (its bounds, its choices). Parameters the schema does not
 * name are ignored.
 */
export function queryReader<T extends TObject>(schema: T): QueryReader<T> {
  const validator = Compile(schema);
  const parameters = Object.entries(schema.properties).map(([name, property]) => ({
    name,
    property,
    required: requiredOf(schema).includes(name),
    validator: Compile(property),
  }));
  return (query) => {
    const value: Record<string, unknown> = {};
    for (const { name, property } of parameters) {
      if (query[name] !== undefined) value[name] = decode(property, query[name]);
    }
    if (validator.Check(value)) return success(value);
    // The fast path failed: find what to say, a missing parameter first, then in the schema's order.
    for (const { name, property, required } of parameters) {
      if (required && value[name] === undefined) {
        return failure([apiError('invalid_parameter', missing(name, property), name)]);
      }
    }
    for (const { name, property, validator: check } of parameters) {
      if (value[name] !== undefined && !check.Check(value[name])) {
        return failure([apiError('invalid_parameter', invalid(name, property), name)]);
      }
    }
    return failure([apiError('invalid_parameter', 'invalid query')]);
  };
}

/** A whole number is digits only: no sign, exponent, fraction or spaces (`Number()` would take those). */
function decode(schema: TSchema, text: unknown): unknown {
  if (!Type.IsInteger(schema)) return text;
  return typeof text === 'string' && /^[0-9]{1,9}$/.test(text) ? Number(text) : Number.NaN;
}

/** The keywords the messages read (TypeBox types a schema's options loosely). */
type Keywords = { readonly minimum?: number; readonly maximum?: number; readonly enum?: readonly unknown[] };

function invalid(name: string, schema: TSchema & Keywords): string {
  const { minimum, maximum } = schema;
  if (Type.IsInteger(schema)) return `${name} must be a whole number from ${minimum} to ${maximum}`;
  return `${name} must be one of: ${schema.enum?.join(', ') || '(none configured)'}`;
}

function missing(name: string, schema: TSchema & Keywords): string {
  return `${name} is required: one of ${schema.enum?.join(', ') || '(none)'}`;
}

/** The window family a validated `window=` names (the schema allows only configured names). */
export function windowNamed(windows: readonly WindowSpec[], name: string | undefined): WindowSpec | undefined {
  return name === undefined ? undefined : windows.find((spec) => spec.name === name);
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
