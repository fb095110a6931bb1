import { recordedLines } from '@rsvp/testkit';
import { describe, expect, it } from 'vitest';
import { parseRsvp } from './parse-rsvp.js';
import { coordinateText } from './rsvp.js';

/** The file's lines; a newline at the very end ends the last line rather than starting an empty one. */
const lines = recordedLines;

const VALID =
  '{"venue":{"venue_name":"Tech Hub ","lon":-74.005974,"lat":40.712776,"venue_id":24629171},"visibility":"public",' +
  '"response":"yes","guests":0,"member":{"member_id":1,"member_name":"member-1"},"rsvp_id":1658699312,' +
  '"mtime":1489925470960,"event":{"event_name":"Night","event_id":"238486635","time":1490036400000,' +
  '"event_url":"https://www.meetup.com/g/events/238486635/"},"group":{"group_topics":[{"urlkey":"tech",' +
  '"topic_name":"Tech"}],"group_city":"New York","group_country":"us","group_id":42,"group_name":"G",' +
  '"group_lon":-74,"group_urlname":"g","group_state":"NY","group_lat":40.7}}';

function codes(input: Uint8Array | string, maxMessageBytes?: number): string[] {
  const result = parseRsvp(input, maxMessageBytes === undefined ? {} : { maxMessageBytes });
  return result.ok ? [] : result.problems.map((p) => `${p.path}:${p.code}`);
}

function withValue(path: string, value: unknown): string {
  const message = JSON.parse(VALID);
  const keys = path.split('.');
  const last = keys.pop() as string;
  let target = message;
  for (const key of keys) target = target[key];
  if (value === undefined) delete target[last];
  else target[last] = value;
  return JSON.stringify(message);
}

describe('parseRsvp on recorded messages', () => {
  it('accepts every message of the merged real corpus', () => {
    const messages = lines('meetup-rsvps.ndjson');
    expect(messages).toHaveLength(5583);
    const rejected = messages.map((m) => parseRsvp(m)).filter((r) => !r.ok);
    expect(rejected).toEqual([]);
  });

  it('accepts the 1,536 JSON lines of the original sample and rejects its 6 broken ones with reasons', () => {
    const results = lines('meetup.json').map((line) => parseRsvp(line));
    expect(results).toHaveLength(1542);
    const rejected = results.flatMap((r, i) => (r.ok ? [] : [{ line: i + 1, codes: r.problems.map((p) => p.code) }]));
    expect(results.filter((r) => r.ok)).toHaveLength(1536);
    // 5 single-quoted lines at the top and a truncated last line.
    expect(rejected).toEqual([1, 2, 3, 4, 5, 1542].map((line) => ({ line, codes: ['invalid_json'] })));
  });

  it('renders coordinates as the text the stream sent', () => {
    for (const line of lines('meetup-rsvps.ndjson')) {
      const result = parseRsvp(line);
      if (!result.ok || result.value.venue === null) continue;
      const { lat, lon } = result.value.venue;
      expect(line).toContain(`"lat":${coordinateText(lat)}`);
      expect(line).toContain(`"lon":${coordinateText(lon)}`);
    }
  });

  it('accepts each odd sample', () => {
    const odd = lines('rsvp-samples-odd.ndjson');
    expect(odd).toHaveLength(49);
    for (const line of odd) expect(codes(line)).toEqual([]);
  });
});

describe('parseRsvp', () => {
  it('normalizes a message', () => {
    const result = parseRsvp(VALID);
    expect(result).toEqual({
      ok: true,
      value: {
        rsvpId: 1658699312,
        mtime: 1489925470960,
        response: 'yes',
        guests: 0,
        visibility: 'public',
        venue: { venueId: 24629171, venueName: 'Tech Hub ', lat: 40.712776, lon: -74.005974 },
        member: { memberId: 1, memberName: 'member-1' },
        event: {
          eventId: '238486635',
          eventName: 'Night',
          eventUrl: 'https://www.meetup.com/g/events/238486635/',
          time: 1490036400000,
        },
        group: {
          groupId: 42,
          groupName: 'G',
          groupUrlname: 'g',
          groupCity: 'New York',
          groupCountry: 'us',
          groupState: 'NY',
          groupLat: 40.7,
          groupLon: -74,
          groupTopics: [{ urlkey: 'tech', topicName: 'Tech' }],
        },
      },
    });
  });

  it('reads bytes as UTF-8 and takes a missing venue as none', () => {
    const result = parseRsvp(new TextEncoder().encode(withValue('venue', undefined)));
    expect(result.ok && result.value.venue).toBe(null);
  });

  it('reports every problem with its path, not just the first', () => {
    const message = JSON.parse(VALID);
    message.venue.lat = 91;
    message.venue.lon = '-74';
    message.mtime = -1;
    message.response = 'maybe';
    delete message.group.group_city;
    expect(codes(JSON.stringify(message))).toEqual([
      'mtime:out_of_range',
      'response:unknown_value',
      'venue.lat:out_of_range',
      'venue.lon:wrong_type',
      'group.group_city:missing_field',
    ]);
  });

  it.each([
    ['mtime', 1.5, 'mtime:not_an_integer'],
    ['mtime', -1, 'mtime:out_of_range'],
    ['mtime', 2 ** 53, 'mtime:out_of_range'],
    ['rsvp_id', '1', 'rsvp_id:wrong_type'],
    ['guests', null, 'guests:wrong_type'],
    ['venue.lat', 90.000001, 'venue.lat:out_of_range'],
    ['venue.lon', -180.5, 'venue.lon:out_of_range'],
    ['venue.venue_id', undefined, 'venue.venue_id:missing_field'],
    ['venue', [], 'venue:wrong_type'],
    ['event.event_id', 238486635, 'event.event_id:wrong_type'],
    ['event.time', 'soon', 'event.time:wrong_type'],
    ['group.group_topics', {}, 'group.group_topics:wrong_type'],
    ['member', undefined, 'member:missing_field'],
  ])('rejects %s = %j', (path, value, expected) => {
    expect(codes(withValue(path, value))).toEqual([expected]);
  });

  it('accepts the extremes of the ranges', () => {
    expect(codes(withValue('venue.lat', -90))).toEqual([]);
    expect(codes(withValue('venue.lon', 180))).toEqual([]);
    expect(codes(withValue('mtime', 0))).toEqual([]);
  });

  it.each([
    ['an empty message', '', 'empty_message'],
    ['an array', '[]', 'not_an_object'],
    ['null', 'null', 'not_an_object'],
    ['a number', '1e400', 'not_an_object'],
    ['NaN', '{"venue":{"lat":NaN}}', 'invalid_json'],
    ['single-quoted pseudo-JSON', "{'rsvp_id': 1}", 'invalid_json'],
    ['a truncated message', VALID.slice(0, 100), 'invalid_json'],
  ])('rejects %s', (_name, input, code) => {
    expect(codes(input)[0]).toBe(`:${code}`);
  });

  it('rejects invalid UTF-8 instead of replacing it', () => {
    const bytes = new TextEncoder().encode(VALID);
    bytes[bytes.indexOf(0x54)] = 0xff; // the T of "Tech Hub"
    expect(codes(bytes)).toEqual([':invalid_utf8']);
  });

  it('strips a byte order mark, in bytes and in text', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(VALID)]);
    expect(codes(bom)).toEqual([]);
    expect(codes(`\ufeff${VALID}`)).toEqual([]);
  });

  it('ignores __proto__ and unknown keys without polluting anything', () => {
    const message = JSON.parse(VALID);
    const text = JSON.stringify(message).replace('{"venue"', '{"__proto__":{"polluted":true},"extra":1,"venue"');
    const result = parseRsvp(text);
    expect(result.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(result.ok ? result.value : {})).not.toContain('__proto__');
  });

  it('rejects a message over the size limit before parsing it', () => {
    const huge = `{"x":"${'a'.repeat(10 * 1024 * 1024)}"}`;
    expect(codes(huge)).toEqual([':message_too_large']);
    expect(codes(new TextEncoder().encode(huge))).toEqual([':message_too_large']);
    expect(codes(VALID, VALID.length - 1)).toEqual([':message_too_large']);
    expect(codes(VALID, VALID.length)).toEqual([]);
  });

  it('measures the limit in UTF-8 bytes, not characters', () => {
    const message = withValue('venue.venue_name', 'é'.repeat(300)); // 2 bytes each
    const bytes = new TextEncoder().encode(message).length;
    expect(codes(message, bytes - 1)).toEqual([':message_too_large']);
    expect(codes(message, bytes)).toEqual([]);
  });
});
