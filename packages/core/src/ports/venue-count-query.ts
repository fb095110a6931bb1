import type { WindowSpec } from '../windows/window-spec.js';

/** One row of the API: a venue and how many distinct RSVPs count there. */
export interface VenueRow {
  readonly venueId: number;
  readonly venueName: string;
  readonly groupCity: string;
  /** Coordinates as text, as the original system returned them (see `coordinateText`). */
  readonly lat: string;
  readonly lon: string;
  readonly count: number;
}

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
}
