import type { VenueDisplay, VenueTotal } from './partition-state.js';

/**
 * A venue's count and how it was last shown, updated in place. Long-lived state that is replaced per
 * message ends up in the old generation as garbage, which is what grows a process's heap: this keeps one
 * object per venue and lets each message's copies die young.
 */
export class VenueTally {
  venueName = '';
  groupCity = '';
  lat = 0;
  lon = 0;
  mtime = 0;
  rsvpId = 0;
  offset = 0;

  constructor(
    readonly venueId: number,
    public count: number,
    display: VenueDisplay,
  ) {
    this.show(display);
  }

  show(display: VenueDisplay): void {
    // Equal strings are kept: the new ones are then garbage of the young generation.
    if (display.venueName !== this.venueName) this.venueName = display.venueName;
    if (display.groupCity !== this.groupCity) this.groupCity = display.groupCity;
    this.lat = display.lat;
    this.lon = display.lon;
    this.mtime = display.mtime;
    this.rsvpId = display.rsvpId;
    this.offset = display.offset;
  }

  total(): VenueTotal {
    return { venueId: this.venueId, count: this.count, display: this.display() };
  }

  display(): VenueDisplay {
    const { venueName, groupCity, lat, lon, mtime, rsvpId, offset } = this;
    return { venueName, groupCity, lat, lon, mtime, rsvpId, offset };
  }
}
