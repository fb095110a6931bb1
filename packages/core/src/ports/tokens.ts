import type { Clock } from './clock.js';
import type { CountStore } from './count-store.js';
import type { DeadLetterSink } from './dead-letter-sink.js';
import type { EventSource } from './event-source.js';
import type { VenueCountQuery } from './venue-count-query.js';

/** A dependency-injection key that remembers the type bound to it. */
export type Token<T> = symbol & { readonly __bound?: T };

/** A token for `T`, the same symbol wherever it is defined (`Symbol.for`), e.g. `@rsvp/core/CountStore`. */
export function defineToken<T>(key: string): Token<T> {
  return Symbol.for(key) as Token<T>;
}

const token = <T>(name: string) => defineToken<T>(`@rsvp/core/${name}`);

/** The ports' keys, for containers that wire adapters to them (the core itself uses none). */
export const PORTS = {
  EventSource: token<EventSource>('EventSource'),
  CountStore: token<CountStore>('CountStore'),
  VenueCountQuery: token<VenueCountQuery>('VenueCountQuery'),
  DeadLetterSink: token<DeadLetterSink>('DeadLetterSink'),
  Clock: token<Clock>('Clock'),
} as const;
