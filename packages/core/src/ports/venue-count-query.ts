import type { VenueRow } from '../aggregation/venue-ranking.js';
import type { WindowSpec } from '../windows/window-spec.js';

/** One window: its family and its start; its count is the sum of the cells `windowCells` names. */
export interface WindowRef extends WindowSpec {
  readonly start: number;
}

export interface TopVenuesRequest {
  /** All-time counts when absent. */
  readonly window?: WindowRef;
  /** Every venue with a positive count when absent. */
  readonly limit?: number;
}

/** The read side for the API, summed across partitions and ordered by `compareVenueRows`. */
export interface VenueCountQuery {
  topVenues(request: TopVenuesRequest): Promise<VenueRow[]>;
  /** The greatest event time any partition has seen, or null before the first RSVP. */
  latestEventTime(): Promise<number | null>;
  /**
   * The sum of the counts `topVenues({})` answers, for a reader that keeps it without listing every venue
   * (a maintained view); absent otherwise, and callers sum the list.
   */
  allTimeTotal?(): Promise<number>;
}
