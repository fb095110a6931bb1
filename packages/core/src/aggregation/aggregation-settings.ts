import type { WindowSpec } from '../windows/window-spec.js';

export interface AggregationSettings {
  readonly windows: readonly WindowSpec[];
  /** The watermark trails the greatest event time seen by this much. */
  readonly maxOutOfOrdernessMs: number;
  /** A window stays open this long after the watermark passes its end. */
  readonly allowedLatenessMs: number;
}
