import Type, { type Static } from 'typebox';

/** Every error code the API answers with: the handlers, the types and the OpenAPI document read this list. */
export const API_ERROR_CODES = ['invalid_parameter', 'not_found', 'not_ready', 'internal'] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** The one shape of every error the API answers with. */
export const ApiErrorBody = Type.Immutable(
  Type.Object(
    {
      error: Type.Object(
        {
          code: Type.Enum(API_ERROR_CODES, { type: 'string' }),
          message: Type.String(),
          parameter: Type.Optional(Type.String({ description: 'The query parameter at fault.' })),
        },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  ),
);

export type ApiErrorBody = Static<typeof ApiErrorBody>;

export function apiError(code: ApiErrorCode, message: string, parameter?: string): ApiErrorBody {
  return { error: { code, message, ...(parameter !== undefined && { parameter }) } };
}
