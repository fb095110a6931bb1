/** Names one ordered stream of records, e.g. a Kafka topic partition (`rsvps:3`): the unit of aggregation. */
export type PartitionId = string;

/** What the pipeline remembers of one RSVP: its latest message and where it counts. */
export interface RsvpState {
  readonly rsvpId: number;
  readonly mtime: number;
  /** The venue it counts at, or null when its latest message says "no" or names no venue. */
  readonly venueId: number | null;
}

/** How a venue row is shown, taken from the latest message naming the venue. */
export interface VenueDisplay {
  readonly venueName: string;
  readonly groupCity: string;
  readonly lat: number;
  readonly lon: number;
  /** The message it came from; the greatest (mtime, rsvpId, offset) wins. */
  readonly mtime: number;
  readonly rsvpId: number;
  readonly offset: number;
}

/** A venue's all-time count within one partition. */
export interface VenueTotal {
  readonly venueId: number;
  readonly count: number;
  /**
   * How the venue is shown. Always there when loaded; in a commit (and its change record) only when the
   * commit's messages showed the venue anew: absent, the display stored before stands.
   */
  readonly display?: VenueDisplay;
}

/**
 * A venue's count in one stored window cell within one partition: a pane of a window family, or a late
 * correction of one of its windows (`paneCellName` / `lateCellName`; `windowCells` lists a window's cells).
 */
export interface WindowCount {
  /** The cell's name. */
  readonly window: string;
  readonly start: number;
  readonly venueId: number;
  readonly count: number;
}

/** A bucket of RSVP states (`rsvpBucketOf`) and its latest activity, which decides when it expires. */
export interface RsvpBucket {
  readonly bucket: number;
  readonly latest: number;
}

/** Everything stored for one partition. */
export interface PartitionSnapshot {
  readonly partition: PartitionId;
  /** The offset of the first record not yet applied. */
  readonly nextOffset: number;
  readonly maxEventTime: number | null;
  /** RSVP states: all of them, or none when loaded without (`rsvps: false`); in a commit, those that changed. */
  readonly rsvps: readonly RsvpState[];
  /** Every RSVP bucket still kept (in a commit: those the commit changed). Absent: none. */
  readonly rsvpBuckets?: readonly RsvpBucket[];
  /** The greatest bucket that has expired; null or absent when none has. */
  readonly expiredBucketMax?: number | null;
  readonly venues: readonly VenueTotal[];
  readonly windows: readonly WindowCount[];
}

/** The effect of one batch: absolute values for what changed, and the position they include. */
export interface PartitionCommit extends PartitionSnapshot {
  /** The `nextOffset` this commit was computed from; the store refuses it if it holds another. */
  readonly expectedNextOffset: number;
  /** Buckets that expired with this commit: their states are deleted. */
  readonly expiredBuckets?: readonly number[];
  /** Buckets whose states this commit holds in full: what was stored of them before can go. */
  readonly wholeBuckets?: readonly number[];
}

/** The state of a partition never written. */
export function emptySnapshot(partition: PartitionId): PartitionSnapshot {
  return { partition, nextOffset: 0, maxEventTime: null, rsvps: [], venues: [], windows: [] };
}
