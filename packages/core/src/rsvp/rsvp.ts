/** One message of Meetup's public RSVP stream, parsed and normalized. Field names are camelCase. */
export interface Rsvp {
  readonly rsvpId: number;
  /** When Meetup last modified the RSVP, in milliseconds since the epoch (the event time). */
  readonly mtime: number;
  readonly response: RsvpResponse;
  readonly guests: number;
  readonly visibility: string;
  /** Absent for online events or events whose venue is not decided yet. */
  readonly venue: Venue | null;
  readonly member: Member;
  readonly event: MeetupEvent;
  readonly group: Group;
}

export type RsvpResponse = 'yes' | 'no';

export interface Venue {
  readonly venueId: number;
  readonly venueName: string;
  readonly lat: number;
  readonly lon: number;
}

export interface Member {
  readonly memberId: number;
  readonly memberName: string;
}

export interface MeetupEvent {
  readonly eventId: string;
  readonly eventName: string;
  readonly eventUrl: string;
  /** Start time in milliseconds since the epoch; missing in about 1 % of real messages. */
  readonly time: number | null;
}

export interface Group {
  readonly groupId: number;
  readonly groupName: string;
  readonly groupUrlname: string;
  readonly groupCity: string;
  readonly groupCountry: string;
  /** Only US and Canadian groups carry a state. */
  readonly groupState: string | null;
  readonly groupLat: number;
  readonly groupLon: number;
  readonly groupTopics: readonly GroupTopic[];
}

export interface GroupTopic {
  readonly urlkey: string;
  readonly topicName: string;
}

/**
 * A coordinate as the original system returned it: a string, `"0"` for an integer zero.
 * JavaScript's shortest round-trip form, so the text names exactly the double that was parsed.
 */
export function coordinateText(value: number): string {
  return String(value);
}
