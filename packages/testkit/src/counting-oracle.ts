import {
  type AggregationSettings,
  compareVenueRows,
  coordinateText,
  type PartitionId,
  parseRsvp,
  type Rsvp,
  rsvpBucketOf,
  type VenueRow,
  type WindowSpec,
  windowStartsContaining,
} from '@rsvp/core';

export interface OracleInput {
  /** Every partition's records in stream order, each delivered once. */
  readonly partitions: ReadonlyMap<PartitionId, readonly (Uint8Array | string | null)[]>;
  readonly settings: AggregationSettings;
  /** Messages dated later than this are rejected. */
  readonly latestAllowedMtime?: number;
}

export interface OracleResult {
  readonly allTime: VenueRow[];
  /** Keyed by `window@start`, for every window some valid message falls in. */
  readonly windows: Map<string, VenueRow[]>;
  readonly valid: number;
  readonly invalid: number;
  /** Valid messages not counted because their RSVP's bucket had expired (`rsvpRetentionMs`). */
  readonly expired: number;
}

interface Message {
  readonly rsvp: Rsvp;
  readonly index: number;
}

/**
 * What the counts must be, computed the plain way: fold each partition's messages from the start and
 * keep every RSVP's latest message. A window holds what the latest messages were when it closed.
 */
export function countingOracle(input: OracleInput): OracleResult {
  const allTime = new Map<number, number>();
  const windowCounts = new Map<string, Map<number, number>>();
  const display = new Map<number, { rsvp: Rsvp; index: number }>();
  let valid = 0;
  let invalid = 0;
  let expired = 0;
  for (const records of input.partitions.values()) {
    const all: Message[] = [];
    records.forEach((value, index) => {
      const parsed = value === null ? undefined : parseRsvp(value);
      if (parsed?.ok && parsed.value.mtime <= (input.latestAllowedMtime ?? Number.POSITIVE_INFINITY)) {
        all.push({ rsvp: parsed.value, index });
      } else {
        invalid++;
      }
    });
    valid += all.length;
    const messages = unexpired(all, input.settings);
    expired += all.length - messages.length;
    for (const { rsvp, index } of messages) {
      if (rsvp.venue === null) continue;
      const shown = display.get(rsvp.venue.venueId);
      if (shown === undefined || newerMessage(rsvp, index, shown.rsvp, shown.index)) {
        display.set(rsvp.venue.venueId, { rsvp, index });
      }
    }
    for (const [venueId, n] of countLatest(messages, () => true)) add(allTime, venueId, n);
    for (const spec of input.settings.windows) {
      const starts = new Set(messages.flatMap(({ rsvp }) => windowStartsContaining(spec, rsvp.mtime)));
      for (const start of starts) {
        // Expired messages still move the watermark: windows close as the stream says.
        const closedAt = closingIndex(all, spec, start, input.settings);
        const inWindow = (rsvp: Rsvp) => rsvp.mtime >= start && rsvp.mtime < start + spec.sizeMs;
        const before = messages.filter((m) => m.index < closedAt);
        const counts = windowCounts.get(`${spec.name}@${start}`) ?? new Map<number, number>();
        for (const [venueId, n] of countLatest(before, inWindow)) add(counts, venueId, n);
        windowCounts.set(`${spec.name}@${start}`, counts);
      }
    }
  }
  const rows = (counts: Map<number, number>) => toRows(counts, display);
  return {
    allTime: rows(allTime),
    windows: new Map([...windowCounts].map(([k, c]) => [k, rows(c)])),
    valid,
    invalid,
    expired,
  };
}

/**
 * The messages of one partition that are not expired, by the retention rule read plainly, message by
 * message: a bucket (`rsvpBucketOf`) lives while the watermark has not passed its latest activity (the
 * greatest mtime or event start of the messages applied to it) by `rsvpRetentionMs`; a bucket never seen
 * is expired when a newer bucket is.
 */
function unexpired(messages: readonly Message[], settings: AggregationSettings): Message[] {
  const retention = settings.rsvpRetentionMs ?? Number.POSITIVE_INFINITY;
  const latestOf = new Map<number, number>();
  const latestMtime = new Map<number, number>();
  let maxEventTime = Number.NEGATIVE_INFINITY;
  const kept: Message[] = [];
  for (const message of messages) {
    const { rsvp } = message;
    maxEventTime = Math.max(maxEventTime, rsvp.mtime);
    const watermark = maxEventTime - settings.maxOutOfOrdernessMs;
    const bucket = rsvpBucketOf(rsvp.rsvpId);
    const past = (b: number) => (latestOf.get(b) as number) + retention < watermark;
    const expired = latestOf.has(bucket) ? past(bucket) : [...latestOf.keys()].some((b) => b > bucket && past(b));
    if (expired) continue;
    kept.push(message);
    const seen = latestMtime.get(rsvp.rsvpId);
    if (seen !== undefined && rsvp.mtime < seen) continue; // superseded: applies nothing
    latestMtime.set(rsvp.rsvpId, rsvp.mtime);
    const activity = Math.max(rsvp.mtime, rsvp.event.time ?? rsvp.mtime);
    latestOf.set(bucket, Math.max(latestOf.get(bucket) ?? Number.NEGATIVE_INFINITY, activity));
  }
  return kept;
}

/** Venue → how many RSVPs whose latest message is a "yes" there that passes `where`. */
function countLatest(messages: readonly Message[], where: (rsvp: Rsvp) => boolean): Map<number, number> {
  const latest = new Map<number, Rsvp>();
  for (const { rsvp } of messages) {
    const seen = latest.get(rsvp.rsvpId);
    if (seen === undefined || rsvp.mtime >= seen.mtime) latest.set(rsvp.rsvpId, rsvp);
  }
  const counts = new Map<number, number>();
  for (const rsvp of latest.values()) {
    if (rsvp.response === 'yes' && rsvp.venue !== null && where(rsvp)) add(counts, rsvp.venue.venueId, 1);
  }
  return counts;
}

/** The stream index of the first message whose arrival closed the window; Infinity if none did. */
function closingIndex(
  messages: readonly Message[],
  spec: WindowSpec,
  start: number,
  settings: AggregationSettings,
): number {
  let maxEventTime = Number.NEGATIVE_INFINITY;
  for (const { rsvp, index } of messages) {
    maxEventTime = Math.max(maxEventTime, rsvp.mtime);
    if (maxEventTime - settings.maxOutOfOrdernessMs >= start + spec.sizeMs + settings.allowedLatenessMs) return index;
  }
  return Number.POSITIVE_INFINITY;
}

function newerMessage(a: Rsvp, aIndex: number, b: Rsvp, bIndex: number): boolean {
  if (a.mtime !== b.mtime) return a.mtime > b.mtime;
  if (a.rsvpId !== b.rsvpId) return a.rsvpId > b.rsvpId;
  return aIndex > bIndex;
}

function toRows(counts: Map<number, number>, display: Map<number, { rsvp: Rsvp }>): VenueRow[] {
  const rows: VenueRow[] = [];
  for (const [venueId, count] of counts) {
    const { rsvp } = display.get(venueId) as { rsvp: Rsvp };
    const venue = rsvp.venue as NonNullable<Rsvp['venue']>;
    rows.push({
      venueId,
      venueName: venue.venueName,
      groupCity: rsvp.group.groupCity,
      lat: coordinateText(venue.lat),
      lon: coordinateText(venue.lon),
      count,
    });
  }
  return rows.sort(compareVenueRows);
}

function add(counts: Map<number, number>, key: number, n: number): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}
