/**
 * RSVP states are kept, stored and expired in buckets of this many consecutive RSVP ids. Meetup gives ids in
 * the order RSVPs are made, so a bucket holds RSVPs made at about the same time, and a store writes a
 * commit's states as one record per bucket it touched instead of one per RSVP.
 */
export const RSVP_BUCKET_IDS = 4096;

export function rsvpBucketOf(rsvpId: number): number {
  return Math.floor(rsvpId / RSVP_BUCKET_IDS);
}

/**
 * When an RSVP bucket stops taking messages: once the watermark passes `latest + retentionMs`. A bucket
 * never seen is expired too when a later bucket (newer ids) already is: its RSVPs are older still.
 */
export function bucketExpired(latest: number, retentionMs: number, watermark: number): boolean {
  return latest + retentionMs < watermark;
}
