import { failure, type Result, success } from '../result.js';
import type { Problem, ProblemCode } from './problem.js';
import type { Group, GroupTopic, MeetupEvent, Member, Rsvp, RsvpResponse, Venue } from './rsvp.js';

export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

export interface ParseOptions {
  /** Messages larger than this many UTF-8 bytes are rejected before any parsing. */
  readonly maxMessageBytes?: number;
}

/** The RSVP, or every problem found in the message. */
export type ParseResult = Result<Rsvp>;

type Json = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAX_DETAIL = 160;

/**
 * Parses one message of Meetup's RSVP stream. Never throws: the result is either a normalized `Rsvp`
 * or every problem found, each with its field path and code.
 */
export function parseRsvp(input: Uint8Array | string, options: ParseOptions = {}): ParseResult {
  const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const text = decode(input, maxBytes);
  if (typeof text !== 'string') return text;

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message.slice(0, MAX_DETAIL) : 'unparsable';
    return rejected('invalid_json', '', `not valid JSON: ${detail}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return rejected('not_an_object', '', `expected a JSON object, got ${describe(value)}`);
  }
  const fields = new FieldReader();
  const rsvp = fields.rsvp(value as Json);
  return fields.problems.length === 0 ? success(rsvp) : failure(fields.problems);
}

function decode(input: Uint8Array | string, maxBytes: number): string | ParseResult {
  if (typeof input === 'string') {
    if (input.length === 0) return rejected('empty_message', '', 'the message is empty');
    const size = input.length > maxBytes ? input.length : utf8Length(input, maxBytes);
    if (size > maxBytes) return tooLarge(maxBytes);
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (input.byteLength === 0) return rejected('empty_message', '', 'the message is empty');
  if (input.byteLength > maxBytes) return tooLarge(maxBytes);
  try {
    return utf8.decode(input); // strips a leading byte order mark, as JSON readers may
  } catch {
    return rejected('invalid_utf8', '', 'the message is not valid UTF-8');
  }
}

/** UTF-8 length of a string, counting no further than just past `limit`. */
function utf8Length(text: string, limit: number): number {
  if (text.length * 3 <= limit) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function tooLarge(maxBytes: number): ParseResult {
  return rejected('message_too_large', '', `the message is larger than ${maxBytes} bytes`);
}

function rejected(code: ProblemCode, path: string, message: string): ParseResult {
  return failure([{ code, path, message }]);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Stands in for a part already reported missing or mistyped; never leaves the parser. */
const REJECTED = {
  member: { memberId: 0, memberName: '' },
  event: { eventId: '', eventName: '', eventUrl: '', time: null },
  group: {
    groupId: 0,
    groupName: '',
    groupUrlname: '',
    groupCity: '',
    groupCountry: '',
    groupState: null,
    groupLat: 0,
    groupLon: 0,
    groupTopics: [],
  },
} as const satisfies Pick<Rsvp, 'member' | 'event' | 'group'>;

/** Reads typed fields, collecting every problem instead of stopping at the first. */
class FieldReader {
  readonly problems: Problem[] = [];

  rsvp(root: Json): Rsvp {
    return {
      rsvpId: this.id(root.rsvp_id, 'rsvp_id'),
      mtime: this.id(root.mtime, 'mtime'),
      response: this.response(root.response),
      guests: this.id(root.guests, 'guests'),
      visibility: this.text(root.visibility, 'visibility'),
      venue: this.venue(root.venue),
      member: this.member(root.member),
      event: this.event(root.event),
      group: this.group(root.group),
    };
  }

  private venue(value: unknown): Venue | null {
    if (value === undefined || value === null) return null;
    const venue = this.object(value, 'venue');
    if (venue === undefined) return null;
    return {
      venueId: this.id(venue.venue_id, 'venue.venue_id'),
      venueName: this.text(venue.venue_name, 'venue.venue_name'),
      lat: this.coordinate(venue.lat, 'venue.lat', 90),
      lon: this.coordinate(venue.lon, 'venue.lon', 180),
    };
  }

  private member(value: unknown): Member {
    const member = this.object(value, 'member');
    if (member === undefined) return REJECTED.member;
    return {
      memberId: this.id(member.member_id, 'member.member_id'),
      memberName: this.text(member.member_name, 'member.member_name'),
    };
  }

  private event(value: unknown): MeetupEvent {
    const event = this.object(value, 'event');
    if (event === undefined) return REJECTED.event;
    return {
      eventId: this.text(event.event_id, 'event.event_id'),
      eventName: this.text(event.event_name, 'event.event_name'),
      eventUrl: this.text(event.event_url, 'event.event_url'),
      time: event.time === undefined || event.time === null ? null : this.id(event.time, 'event.time'),
    };
  }

  private group(value: unknown): Group {
    const group = this.object(value, 'group');
    if (group === undefined) return REJECTED.group;
    const state = group.group_state;
    return {
      groupId: this.id(group.group_id, 'group.group_id'),
      groupName: this.text(group.group_name, 'group.group_name'),
      groupUrlname: this.text(group.group_urlname, 'group.group_urlname'),
      groupCity: this.text(group.group_city, 'group.group_city'),
      groupCountry: this.text(group.group_country, 'group.group_country'),
      groupState: state === undefined || state === null ? null : this.text(state, 'group.group_state'),
      groupLat: this.coordinate(group.group_lat, 'group.group_lat', 90),
      groupLon: this.coordinate(group.group_lon, 'group.group_lon', 180),
      groupTopics: this.topics(group.group_topics),
    };
  }

  private topics(value: unknown): GroupTopic[] {
    if (!Array.isArray(value)) {
      this.typeProblem(value, 'group.group_topics', 'an array');
      return [];
    }
    const topics: GroupTopic[] = [];
    for (let i = 0; i < value.length; i++) {
      // Paths are built only for a problem: a message has several topics, and most have none.
      const topic = value[i];
      if (typeof topic !== 'object' || topic === null || Array.isArray(topic)) {
        this.typeProblem(topic, `group.group_topics.${i}`, 'an object');
        continue;
      }
      const { urlkey, topic_name: topicName } = topic as Json;
      topics.push({
        urlkey: typeof urlkey === 'string' ? urlkey : this.text(urlkey, `group.group_topics.${i}.urlkey`),
        topicName:
          typeof topicName === 'string' ? topicName : this.text(topicName, `group.group_topics.${i}.topic_name`),
      });
    }
    return topics;
  }

  private response(value: unknown): RsvpResponse {
    if (value === 'yes' || value === 'no') return value;
    if (typeof value === 'string') {
      this.add('unknown_value', 'response', `expected "yes" or "no", got ${JSON.stringify(value.slice(0, 40))}`);
    } else {
      this.typeProblem(value, 'response', 'a string');
    }
    return 'no';
  }

  private object(value: unknown, path: string): Json | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
    this.typeProblem(value, path, 'an object');
    return undefined;
  }

  private text(value: unknown, path: string): string {
    if (typeof value === 'string') return value;
    this.typeProblem(value, path, 'a string');
    return '';
  }

  /** A non-negative safe integer: ids, counts and epoch milliseconds. */
  private id(value: unknown, path: string): number {
    if (typeof value !== 'number') {
      this.typeProblem(value, path, 'a number');
    } else if (!Number.isInteger(value)) {
      this.add('not_an_integer', path, `expected an integer, got ${value}`);
    } else if (value < 0 || value > Number.MAX_SAFE_INTEGER) {
      this.add('out_of_range', path, `expected 0 to ${Number.MAX_SAFE_INTEGER}, got ${value}`);
    } else {
      return value === 0 ? 0 : value; // JSON's -0 would not survive a round trip
    }
    return 0;
  }

  private coordinate(value: unknown, path: string, limit: number): number {
    if (typeof value !== 'number') {
      this.typeProblem(value, path, 'a number');
    } else if (!(value >= -limit && value <= limit)) {
      this.add('out_of_range', path, `expected -${limit} to ${limit}, got ${value}`);
    } else {
      return value === 0 ? 0 : value;
    }
    return 0;
  }

  private typeProblem(value: unknown, path: string, expected: string): void {
    if (value === undefined) this.add('missing_field', path, `${path} is missing`);
    else this.add('wrong_type', path, `expected ${expected}, got ${describe(value)}`);
  }

  private add(code: ProblemCode, path: string, message: string): void {
    this.problems.push({ code, path, message });
  }
}
