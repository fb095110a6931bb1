import { inspect } from 'node:util';

/**
 * Credentials that must not reach a log: the object is returned as it is (the adapters take it whole),
 * but prints with its password as `[redacted]` in JSON (`JSON.stringify`, pino) and `util.inspect`.
 * Copies made by spreading it carry the password and not the redaction: they are for the client libraries.
 */
export function redactPassword<T extends { readonly password: string }>(credentials: T): T {
  const shown = () => ({ ...credentials, password: '[redacted]' });
  Object.defineProperty(credentials, 'toJSON', { value: shown, enumerable: false });
  Object.defineProperty(credentials, inspect.custom, {
    value: (_depth: number, options: object) => inspect(shown(), options),
    enumerable: false,
  });
  return credentials;
}
