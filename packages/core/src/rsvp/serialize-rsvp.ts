import type { Rsvp } from './rsvp.js';

/** Writes an RSVP in the stream's wire format and key order; `parseRsvp` reads it back unchanged. */
export function serializeRsvp(rsvp: Rsvp): string {
  const { venue, member, event, group } = rsvp;
  return JSON.stringify({
    ...(venue && {
      venue: { venue_name: venue.venueName, lon: venue.lon, lat: venue.lat, venue_id: venue.venueId },
    }),
    visibility: rsvp.visibility,
    response: rsvp.response,
    guests: rsvp.guests,
    member: { member_id: member.memberId, member_name: member.memberName },
    rsvp_id: rsvp.rsvpId,
    mtime: rsvp.mtime,
    event: {
      event_name: event.eventName,
      event_id: event.eventId,
      ...(event.time !== null && { time: event.time }),
      event_url: event.eventUrl,
    },
    group: {
      group_topics: group.groupTopics.map((t) => ({ urlkey: t.urlkey, topic_name: t.topicName })),
      group_city: group.groupCity,
      group_country: group.groupCountry,
      group_id: group.groupId,
      group_name: group.groupName,
      group_lon: group.groupLon,
      group_urlname: group.groupUrlname,
      ...(group.groupState !== null && { group_state: group.groupState }),
      group_lat: group.groupLat,
    },
  });
}
