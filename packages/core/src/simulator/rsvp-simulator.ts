import type { Group, Rsvp, Venue } from '../rsvp/rsvp.js';
import { serializeRsvp } from '../rsvp/serialize-rsvp.js';
import { CITIES, type City, TOPICS, VENUE_KINDS, VENUE_PREFIXES } from './catalogue.js';
import { Random, Zipf } from './random.js';

export interface SimulatorOptions {
  readonly seed: number;
  /** How many venues exist; their popularity follows Zipf's law. */
  readonly venueCount: number;
  readonly zipfExponent: number;
  /** Share of new RSVPs answering "no". */
  readonly noShare: number;
  /** Share of new RSVPs with no venue (online or undecided events). */
  readonly venuelessShare: number;
  /** Share of messages that re-send an earlier RSVP with a change, as Meetup does. */
  readonly resendShare: number;
  /** Share of messages that are broken on the wire. */
  readonly malformedShare: number;
}

export const DEFAULT_SIMULATOR_OPTIONS: SimulatorOptions = {
  seed: 2017,
  venueCount: 2_000,
  zipfExponent: 1.07,
  noShare: 0.23,
  venuelessShare: 0.19,
  resendShare: 0.19,
  malformedShare: 0.002,
};

interface SimulatedVenue {
  readonly venue: Venue;
  readonly group: Group;
  readonly eventId: string;
  readonly eventName: string;
  readonly eventTime: number;
}

const RECENT = 2_000;
const FIRST_RSVP_ID = 1_700_000_000;

/**
 * A seeded, deterministic source of realistic RSVP stream messages in the real wire format: the same
 * seed and the same sequence of `now` values give the same messages.
 */
export class RsvpSimulator {
  readonly options: SimulatorOptions;
  private readonly random: Random;
  private readonly popularity: Zipf;
  private readonly venues: SimulatedVenue[] = [];
  private readonly recent: Rsvp[] = [];
  private nextRsvpId = FIRST_RSVP_ID;

  constructor(options: Partial<SimulatorOptions> = {}) {
    this.options = { ...DEFAULT_SIMULATOR_OPTIONS, ...options };
    this.random = new Random(this.options.seed);
    this.popularity = new Zipf(this.options.venueCount, this.options.zipfExponent);
    for (let i = 0; i < this.options.venueCount; i++) this.venues.push(this.makeVenue(i));
  }

  /** The next message, dated `now` (milliseconds since the epoch). */
  next(now: number): string {
    if (this.random.chance(this.options.malformedShare)) return this.malformed(now);
    const rsvp =
      this.recent.length > 0 && this.random.chance(this.options.resendShare) ? this.resend(now) : this.fresh(now);
    this.remember(rsvp);
    return serializeRsvp(rsvp);
  }

  private fresh(now: number): Rsvp {
    const place = this.venues[this.popularity.draw(this.random)] as SimulatedVenue;
    const memberId = 1_000_000 + this.random.int(250_000_000);
    return {
      rsvpId: this.nextRsvpId++,
      mtime: now,
      response: this.random.chance(this.options.noShare) ? 'no' : 'yes',
      guests: this.random.chance(0.93) ? 0 : 1 + this.random.int(3),
      visibility: 'public',
      venue: this.random.chance(this.options.venuelessShare) ? null : place.venue,
      member: { memberId, memberName: `member-${memberId}` },
      event: {
        eventId: place.eventId,
        eventName: place.eventName,
        eventUrl: `https://www.meetup.com/${place.group.groupUrlname}/events/${place.eventId}/`,
        time: this.random.chance(0.99) ? place.eventTime : null,
      },
      group: place.group,
    };
  }

  /** Meetup re-sends an RSVP when it changes: often the answer flips. */
  private resend(now: number): Rsvp {
    const earlier = this.random.pick(this.recent);
    const flips = this.random.chance(0.5);
    return {
      ...earlier,
      mtime: Math.max(now, earlier.mtime),
      response: flips ? (earlier.response === 'yes' ? 'no' : 'yes') : earlier.response,
      guests: flips ? earlier.guests : this.random.int(3),
    };
  }

  private remember(rsvp: Rsvp): void {
    if (this.recent.length < RECENT) this.recent.push(rsvp);
    else this.recent[this.random.int(RECENT)] = rsvp;
  }

  private malformed(now: number): string {
    const valid = serializeRsvp(this.fresh(now));
    switch (this.random.int(4)) {
      case 0:
        return valid.slice(0, 1 + this.random.int(valid.length - 1)); // cut off on the wire
      case 1:
        return valid.replaceAll('"', "'"); // the pseudo-JSON of some recorders
      case 2:
        return valid.replace(/"rsvp_id":\d+,/, '');
      default:
        return valid.replace(/"mtime":\d+/, '"mtime":"yesterday"');
    }
  }

  private makeVenue(index: number): SimulatedVenue {
    const city = this.random.pick(CITIES);
    const name = `${this.random.pick(VENUE_PREFIXES)} ${this.random.pick(VENUE_KINDS)}`;
    const venueId = 20_000_000 + index * 7 + this.random.int(7);
    const groupId = 10_000_000 + index;
    const urlname = `${city.name.replace(/[^A-Za-z]/g, '')}-${name.replace(/[^A-Za-z]/g, '')}-${index}`;
    const topic = this.random.pick(TOPICS);
    return {
      venue: { venueId, venueName: name, lat: jitter(this.random, city.lat), lon: jitter(this.random, city.lon) },
      group: cityGroup(city, groupId, `${city.name} ${topic.name}`, urlname, [topic]),
      eventId: String(230_000_000 + index),
      eventName: `${topic.name} night at ${name}`,
      eventTime: 1_490_000_000_000 + this.random.int(90) * 86_400_000,
    };
  }
}

function cityGroup(
  city: City,
  groupId: number,
  groupName: string,
  groupUrlname: string,
  topics: readonly { readonly urlkey: string; readonly name: string }[],
): Group {
  return {
    groupId,
    groupName,
    groupUrlname,
    groupCity: city.name,
    groupCountry: city.country,
    groupState: city.state,
    groupLat: city.lat,
    groupLon: city.lon,
    groupTopics: topics.map((t) => ({ urlkey: t.urlkey, topicName: t.name })),
  };
}

/** A venue within a few kilometres of the city centre, with the 6 decimals Meetup used. */
function jitter(random: Random, degrees: number): number {
  return Math.round((degrees + (random.next() - 0.5) * 0.1) * 1e6) / 1e6;
}
