/**
 * The query strings the API reads, each declared once as a JSON Schema (TypeBox) of the values after
 * decoding: the handlers validate with it (`readQuery` in venue-request.ts) and the OpenAPI document
 * lists its properties as the parameters. Functions, not constants: the bounds and the window names are
 * the running server's.
 */
import Type, { type Static, type TObject } from 'typebox';

export interface QueryOptions {
  /** The names of the configured window families (`1m`, `1h`). */
  readonly windowNames: readonly string[];
  /** The largest `?limit=` accepted. */
  readonly maxLimit: number;
}

/** The names a query schema requires: TypeBox leaves `required` out when every property is optional. */
export function requiredOf(schema: TObject): readonly string[] {
  return (schema.required as readonly string[] | undefined) ?? [];
}

/** A configured window family, by its name (its size). */
const windowNameSchema = (names: readonly string[], description?: string) =>
  Type.String({ enum: [...names], ...(description !== undefined && { description }) });

const limit = (maxLimit: number, whenAbsent: string) =>
  Type.Integer({ minimum: 1, maximum: maxLimit, description: `At most this many rows (${whenAbsent} when absent).` });

const currentWindow = (names: readonly string[]) =>
  windowNameSchema(names, 'The current window of a configured family, by its size; all-time counts when absent.');

/** `?limit=&window=` of `/api/data` and `/api/venues.geojson`. */
export const venueQuery = (options: QueryOptions) =>
  Type.Object({
    limit: Type.Optional(limit(options.maxLimit, 'every venue')),
    window: Type.Optional(currentWindow(options.windowNames)),
  });
export type VenueQuery = Static<ReturnType<typeof venueQuery>>;

/** `?limit=&window=` of `/api/top_venues`: a page of `pageRows` rows unless asked. */
export const pageQuery = (options: QueryOptions & { readonly pageRows: number }) =>
  Type.Object({
    limit: Type.Optional(limit(options.maxLimit, String(options.pageRows))),
    window: Type.Optional(currentWindow(options.windowNames)),
  });

/** `?window=&limit=` of `/api/cities`: the window is required. */
export const citiesQuery = (options: QueryOptions) =>
  Type.Object({
    limit: Type.Optional(limit(options.maxLimit, 'every city')),
    window: windowNameSchema(
      options.windowNames,
      'A configured window family, by its size: its current window (the one /api/data?window= shows) is ' +
        'compared with the window of the same family that ended where it starts.',
    ),
  });
export type CitiesQuery = Static<ReturnType<typeof citiesQuery>>;
