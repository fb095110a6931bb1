/** Why a message was rejected. A closed set: consumers may switch on it. */
export type ProblemCode =
  | 'empty_message'
  | 'message_too_large'
  | 'invalid_utf8'
  | 'invalid_json'
  | 'not_an_object'
  | 'missing_field'
  | 'wrong_type'
  | 'not_an_integer'
  | 'out_of_range'
  | 'unknown_value'
  | 'event_time_ahead';

export const PROBLEM_CODES: readonly ProblemCode[] = [
  'empty_message',
  'message_too_large',
  'invalid_utf8',
  'invalid_json',
  'not_an_object',
  'missing_field',
  'wrong_type',
  'not_an_integer',
  'out_of_range',
  'unknown_value',
  'event_time_ahead',
];

export interface Problem {
  readonly code: ProblemCode;
  /** Dotted path of the field, e.g. `venue.lat`; empty for the message as a whole. */
  readonly path: string;
  readonly message: string;
}
