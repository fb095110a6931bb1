/** How the store's values map to the rows of `partition_state`, and how rows are read: what both sides share. */
import type { ChangeRecord, PartitionCommit, PartitionId, RsvpState, VenueTotal } from '@rsvp/core';
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
export async function* pages(client: Client, query: string, params: unknown[]): AsyncGenerator<Row> {
  let pageState: string | undefined;
  do {
    const result = await client.execute(query, params, {
      prepare: true,
      fetchSize: 5_000,
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

/**
 * A change record as stored: compact JSON arrays. A venue is `[id, count]`, followed by its display when the
 * commit showed it anew (name, city, lat, lon, mtime, rsvp id, offset); a cell is `[name, start, venue, count]`.
 */
export function encodeChanges(commit: PartitionCommit): string {
  return JSON.stringify({
    p: commit.expectedNextOffset,
    e: commit.maxEventTime,
    v: commit.venues.map(({ venueId, count, display: d }) =>
      d === undefined
        ? [venueId, count]
        : [venueId, count, d.venueName, d.groupCity, d.lat, d.lon, d.mtime, d.rsvpId, d.offset],
    ),
    w: commit.windows.map((w) => [w.window, w.start, w.venueId, w.count]),
  });
}

type StoredVenue = [number, number] | [number, number, string, string, number, number, number, number, number];

export function decodeChanges(partition: PartitionId, nextOffset: number, text: string): ChangeRecord {
  const stored = JSON.parse(text) as {
    p: number;
    e: number | null;
    v: StoredVenue[];
    w: [string, number, number, number][];
  };
  return {
    partition,
    previousOffset: stored.p,
    nextOffset,
    maxEventTime: stored.e,
    venues: stored.v.map((venue): VenueTotal => {
      if (venue.length === 2) return { venueId: venue[0], count: venue[1] };
      const [venueId, count, venueName, groupCity, lat, lon, mtime, rsvpId, offset] = venue;
      return { venueId, count, display: { venueName, groupCity, lat, lon, mtime, rsvpId, offset } };
    }),
    windows: stored.w.map(([window, start, venueId, count]) => ({ window, start, venueId, count })),
  };
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
