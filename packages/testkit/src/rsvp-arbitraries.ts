import { type Rsvp, serializeRsvp, type Venue } from '@rsvp/core';
import fc from 'fast-check';

/** Any valid RSVP, over the whole range the parser accepts. */
export function anyRsvp(): fc.Arbitrary<Rsvp> {
  const id = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
  const text = fc.string({ unit: 'grapheme', maxLength: 30 });
  const coordinate = (limit: number) =>
    fc.double({ min: -limit, max: limit, noNaN: true }).map((x) => (x === 0 ? 0 : x));
  return fc.record({
    rsvpId: id,
    mtime: id,
    response: fc.constantFrom('yes' as const, 'no' as const),
    guests: fc.nat(100),
    visibility: fc.constantFrom('public', 'members'),
    venue: fc.option(fc.record({ venueId: id, venueName: text, lat: coordinate(90), lon: coordinate(180) }), {
      nil: null,
    }),
    member: fc.record({ memberId: id, memberName: text }),
    event: fc.record({ eventId: text, eventName: text, eventUrl: text, time: fc.option(id, { nil: null }) }),
    group: fc.record({
      groupId: id,
      groupName: text,
      groupUrlname: text,
      groupCity: text,
      groupCountry: text,
      groupState: fc.option(text, { nil: null }),
      groupLat: coordinate(90),
      groupLon: coordinate(180),
      groupTopics: fc.array(fc.record({ urlkey: text, topicName: text }), { maxLength: 3 }),
    }),
  });
}

const VENUES: readonly Venue[] = [
  { venueId: 1, venueName: 'Blue Door Coffee', lat: 40.712776, lon: -74.005974 },
  { venueId: 2, venueName: 'Riverside Library', lat: 51.507351, lon: -0.127758 },
  { venueId: 3, venueName: 'Tech Hub', lat: 0, lon: 0 },
  { venueId: 4, venueName: 'Tech Hub', lat: 37.774929, lon: -122.419418 },
  { venueId: 5, venueName: '<b>Bold</b> & "quoted"', lat: -33.86882, lon: 151.209296 },
];

export interface SmallWorldOptions {
  /** Event times fall in [base, base + spanMs), on a grid of `stepMs` so that they hit window edges. */
  readonly baseMtime: number;
  readonly spanMs: number;
  readonly stepMs: number;
}

/**
 * RSVPs from a small world — few ids, few venues, close event times — so that re-sends, flips,
 * ties and window changes happen often. Venue names and cities vary so that display rules matter.
 */
export function smallWorldRsvp(options: SmallWorldOptions): fc.Arbitrary<Rsvp> {
  return fc
    .record({
      rsvpId: fc.integer({ min: 1, max: 12 }),
      offsetMs: fc
        .integer({ min: 0, max: Math.ceil(options.spanMs / options.stepMs) - 1 })
        .map((n) => n * options.stepMs),
      response: fc.constantFrom('yes' as const, 'yes' as const, 'no' as const),
      venue: fc.option(fc.constantFrom(...VENUES), { nil: null, freq: 5 }),
      renamed: fc.boolean(),
      city: fc.constantFrom('New York', 'London', 'Zürich'),
    })
    .map(({ rsvpId, offsetMs, response, venue, renamed, city }) => ({
      rsvpId,
      mtime: options.baseMtime + offsetMs,
      response,
      guests: 0,
      visibility: 'public',
      venue: venue && renamed ? { ...venue, venueName: `${venue.venueName} (new)` } : venue,
      member: { memberId: rsvpId * 10, memberName: `member-${rsvpId * 10}` },
      event: { eventId: 'e1', eventName: 'Meetup', eventUrl: 'https://www.meetup.com/g/events/e1/', time: null },
      group: {
        groupId: 7,
        groupName: 'Group',
        groupUrlname: 'g',
        groupCity: city,
        groupCountry: 'us',
        groupState: null,
        groupLat: 40,
        groupLon: -74,
        groupTopics: [{ urlkey: 'tech', topicName: 'Tech' }],
      },
    }));
}

/** Messages that must be rejected: broken JSON, wrong shapes, bad values, bad bytes, tombstones. */
export function invalidMessage(valid: fc.Arbitrary<Rsvp>): fc.Arbitrary<Uint8Array | string | null> {
  const wire = valid.map(serializeRsvp);
  return fc.oneof(
    wire.chain((text) => fc.integer({ min: 0, max: text.length - 1 }).map((n) => text.slice(0, n))),
    wire.map((text) => text.replaceAll('"', "'")),
    wire.map((text) => text.replace(/"rsvp_id":\d+/, '"rsvp_id":"x"')),
    wire.map((text) => text.replace(/"mtime":(\d+)/, '"mtime":-$1.5')),
    fc.constantFrom('[]', 'null', '42', '"yes"', '{}', '{"__proto__":{"rsvp_id":1}}', ''),
    fc.constant(null),
    fc.constant(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])),
  );
}
