import type { PartitionId } from './event-source.js';

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
  readonly display: VenueDisplay;
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

/** Everything stored for one partition. */
export interface PartitionSnapshot {
  readonly partition: PartitionId;
  /** The offset of the first record not yet applied. */
  readonly nextOffset: number;
  readonly maxEventTime: number | null;
  readonly rsvps: readonly RsvpState[];
  readonly venues: readonly VenueTotal[];
  readonly windows: readonly WindowCount[];
}

/** The effect of one batch: absolute values for what changed, and the position they include. */
export interface PartitionCommit extends PartitionSnapshot {
  /** The `nextOffset` this commit was computed from; the store refuses it if it holds another. */
  readonly expectedNextOffset: number;
}

/**
 * Keeps counts per partition together with the source position they include. Absolute values, not
 * increments, so that applying a commit twice is harmless, and a fenced position, so that only one
 * writer per partition can advance it.
 */
export interface LoadOptions {
  /**
   * False: leave out the RSVP states (one per RSVP ever seen: most of a partition's state); the pipeline
   * reads the ones it needs with `loadRsvps`, batch by batch. Default true.
   */
  readonly rsvps?: boolean;
}

export interface CountStore {
  /** The stored state of a partition; nextOffset 0 and nothing else for one never written. */
  load(partition: PartitionId, options?: LoadOptions): Promise<PartitionSnapshot>;
  /** The stored states of these RSVPs of a partition; RSVPs never stored are left out. */
  loadRsvps(partition: PartitionId, rsvpIds: readonly number[]): Promise<RsvpState[]>;
  /**
   * The greatest RSVP id stored for a partition, or null when none is. RSVP ids grow over time, so a new
   * RSVP's id is above it and needs no lookup.
   */
  greatestRsvpId(partition: PartitionId): Promise<number | null>;
  /**
   * Applies the commit atomically if the stored nextOffset equals `expectedNextOffset`; otherwise
   * changes nothing and rejects with `StaleWriterError`.
   */
  commit(commit: PartitionCommit): Promise<void>;
}

export function emptySnapshot(partition: PartitionId): PartitionSnapshot {
  return { partition, nextOffset: 0, maxEventTime: null, rsvps: [], venues: [], windows: [] };
}
