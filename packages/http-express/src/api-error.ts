/** The one shape of every error the API answers with. */
export interface ApiErrorBody {
  readonly error: {
    readonly code: 'invalid_parameter' | 'not_found' | 'not_ready' | 'internal';
    readonly message: string;
    readonly parameter?: string;
  };
}

export function apiError(code: ApiErrorBody['error']['code'], message: string, parameter?: string): ApiErrorBody {
  return { error: { code, message, ...(parameter !== undefined && { parameter }) } };
}
