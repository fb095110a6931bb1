import type { WindowSpec } from '../windows/window-spec.js';

export interface AggregationSettings {
  readonly windows: readonly WindowSpec[];
  /** The watermark trails the greatest event time seen by this much. */
  readonly maxOutOfOrdernessMs: number;
  /** A window stays open this long after the watermark passes its end. */
  readonly allowedLatenessMs: number;
  /**
   * How long RSVP states are kept: an RSVP bucket (`RSVP_BUCKET_IDS` consecutive ids) expires once the
   * watermark passes its latest activity — the greatest event time or Meetup event start of the messages
   * applied to it — by this much. A message of an expired bucket is filtered as `expired`. Forever when absent.
   */
  readonly rsvpRetentionMs?: number;
}
