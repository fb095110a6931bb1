/** How the store's values map to the rows of `partition_state`, and how rows are read: what both sides share. */
import type {
  ChangeRecord,
  PartitionCommit,
  PartitionId,
  RsvpState,
  VenueDisplay,
  VenueTotal,
  WindowCount,
} from '@rsvp/core';
import type { Client, types } from 'cassandra-driver';

export type Row = types.Row;

export const LONG = (value: unknown): number => Number(value as bigint | number | types.Long);
export const nullableLong = (value: unknown): number | null =>
  value === null || value === undefined ? null : LONG(value);

/** The tables of one keyspace. */
export interface Tables {
  readonly client: Client;
  /** `<keyspace>.partition_state`. */
  readonly state: string;
  /** `<keyspace>.source_partitions`. */
  readonly partitions: string;
}

export function tablesOf(client: Client, keyspace: string): Tables {
  return { client, state: `${keyspace}.partition_state`, partitions: `${keyspace}.source_partitions` };
}

/** Every row of a query, a page at a time. */
export async function* pages(client: Client, query: string, params: unknown[], fetchSize = 5_000): AsyncGenerator<Row> {
  let pageState: string | undefined;
  do {
    const result = await client.execute(query, params, {
      prepare: true,
      fetchSize,
      ...(pageState && { pageState }),
    });
    yield* result.rows;
    pageState = result.pageState ?? undefined;
  } while (pageState);
}

export async function rows(client: Client, query: string, params: unknown[]): Promise<Row[]> {
  const found: Row[] = [];
  for await (const row of pages(client, query, params)) found.push(row);
  return found;
}

/** A bucket's changed states as stored: `[[rsvpId, mtime, venueId or null], …]`. */
export function encodeStates(states: readonly RsvpState[]): string {
  return JSON.stringify(states.map((s) => [s.rsvpId, s.mtime, s.venueId]));
}

export function decodeStates(text: string): RsvpState[] {
  return (JSON.parse(text) as [number, number, number | null][]).map(([rsvpId, mtime, venueId]) => ({
    rsvpId,
    mtime,
    venueId,
  }));
}

type Display = [string, string, number, number, number, number, number];

/**
 * A change record as stored, in compact JSON (it is most of a partition's bytes during a drain): `c` the
 * venues whose count alone changed, flat `[id, count, id, count, …]`; `d` those shown anew, `[id, count,
 * name, city, lat, lon, mtime, rsvp id, offset]`; `w` the cells by window cell, `[name, start, [venue,
 * count, venue, count, …]]`.
 */
export function encodeChanges(commit: PartitionCommit): string {
  const counted: number[] = [];
  const shown: (number | string)[][] = [];
  for (const { venueId, count, display: d } of commit.venues) {
    if (d === undefined) counted.push(venueId, count);
    else shown.push([venueId, count, d.venueName, d.groupCity, d.lat, d.lon, d.mtime, d.rsvpId, d.offset]);
  }
  const cells = new Map<string, [string, number, number[]]>();
  for (const w of commit.windows) {
    const key = `${w.window}@${w.start}`;
    let cell = cells.get(key);
    if (cell === undefined) {
      cell = [w.window, w.start, []];
      cells.set(key, cell);
    }
    cell[2].push(w.venueId, w.count);
  }
  return JSON.stringify({
    p: commit.expectedNextOffset,
    e: commit.maxEventTime,
    c: counted,
    d: shown,
    w: [...cells.values()],
  });
}

interface StoredChanges {
  p: number;
  e: number | null;
  c?: number[];
  d?: [number, number, ...Display][];
  w: [string, number, number[]][] | [string, number, number, number][];
  /** The earlier format: `[id, count, …display]` per venue, `[name, start, venue, count]` per cell. */
  v?: ([number, number] | [number, number, ...Display])[];
}

/** What reads a stored change record's values, one at a time. */
export interface ChangeVisitor {
  venue(venueId: number, count: number, display?: VenueDisplay): void;
  cell(window: string, start: number, venueId: number, count: number): void;
}

/**
 * Hands a stored change record's venues, then (unless `withCells` is false) its cells to `visitor`,
 * without making an object per value; returns the record's offsets and event time.
 */
export function visitChanges(
  text: string,
  visitor: ChangeVisitor,
  withCells = true,
): { previousOffset: number; maxEventTime: number | null } {
  const stored = JSON.parse(text) as StoredChanges;
  const counted = stored.c ?? [];
  for (let i = 0; i < counted.length; i += 2) visitor.venue(counted[i] as number, counted[i + 1] as number);
  for (const venues of [stored.d, stored.v]) {
    for (const venue of venues ?? []) {
      if (venue.length === 2) {
        visitor.venue(venue[0], venue[1]);
        continue;
      }
      const [venueId, count, venueName, groupCity, lat, lon, mtime, rsvpId, offset] = venue;
      visitor.venue(venueId, count, { venueName, groupCity, lat, lon, mtime, rsvpId, offset });
    }
  }
  for (const cell of withCells ? stored.w : []) {
    const [window, start, counts] = cell;
    if (typeof counts === 'number') {
      visitor.cell(window, start, counts, cell[3] as number);
      continue;
    }
    for (let i = 0; i < counts.length; i += 2)
      visitor.cell(window, start, counts[i] as number, counts[i + 1] as number);
  }
  return { previousOffset: stored.p, maxEventTime: stored.e };
}

export function decodeChanges(partition: PartitionId, nextOffset: number, text: string): ChangeRecord {
  const venues: VenueTotal[] = [];
  const windows: WindowCount[] = [];
  const { previousOffset, maxEventTime } = visitChanges(text, {
    venue: (venueId, count, display) =>
      venues.push(display === undefined ? { venueId, count } : { venueId, count, display }),
    cell: (window, start, venueId, count) => windows.push({ window, start, venueId, count }),
  });
  return { partition, previousOffset, nextOffset, maxEventTime, venues, windows };
}

export function venueTotal(row: Row): VenueTotal {
  const venueId = LONG(row.id);
  // Only a commit that showed the venue writes its display; a row without one has none yet.
  if (row.shown_mtime === null || row.shown_mtime === undefined) return { venueId, count: row.count };
  return {
    venueId,
    count: row.count,
    display: {
      venueName: row.venue_name,
      groupCity: row.group_city,
      lat: row.lat,
      lon: row.lon,
      mtime: LONG(row.shown_mtime),
      rsvpId: LONG(row.shown_rsvp_id),
      offset: LONG(row.shown_offset),
    },
  };
}
