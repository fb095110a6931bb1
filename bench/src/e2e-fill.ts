import { DEFAULT_PIPELINE_SETTINGS, RsvpSimulator, type VenueRow } from '@rsvp/core';
import { countingOracle } from '@rsvp/testkit/harness';
import { produceAll } from './real-stack.js';

/** What the fill needs of the e2e options. */
export interface FillOptions {
  /** RSVPs pre-filled into the topic. */
  readonly messages: number;
  /** Venues the simulator knows (`rsvp produce --venues`; its default is 2,000). */
  readonly venues: number;
  /** Keep the messages and return the counting oracle's all-time rows over them. */
  readonly verify: boolean;
}

const SEED = 2017;
/** Event time advances 1 ms per RSVP (1,000 RSVP/s), starting on a fixed day: the messages are reproducible. */
const T0 = Date.UTC(2017, 2, 19);
const VENUE = /"venue_id":(\d+)/;

/** The simulator's messages (`venues` venues with Zipf popularity), dated 1 ms apart. */
function* simulated(count: number, venues: number): Generator<string> {
  const simulator = new RsvpSimulator({ seed: SEED, venueCount: venues });
  for (let i = 0; i < count; i++) yield simulator.next(T0 + i);
}

/**
 * Fills the topic as `rsvp produce` would (keyed by rsvp_id, murmur2 partitioner), but in big requests
 * with a few in flight; returns the oracle's all-time rows when asked to verify.
 */
export async function fill(
  topic: string,
  options: FillOptions,
  log: (line: string) => void,
): Promise<{ seconds: number; bytes: number; venuesNamed: number; oracle?: VenueRow[] }> {
  const started = performance.now();
  const kept: string[] = [];
  const venuesNamed = new Set<string>();
  const bytes = await produceAll(topic, 'bench-e2e-fill', simulated(options.messages, options.venues), (value) => {
    if (options.verify) kept.push(value);
    const venue = VENUE.exec(value)?.[1];
    if (venue !== undefined) venuesNamed.add(venue);
  });
  const seconds = (performance.now() - started) / 1000;
  log(
    `e2e: ${options.messages.toLocaleString('en')} RSVPs naming ${venuesNamed.size.toLocaleString('en')} of ` +
      `${options.venues.toLocaleString('en')} venues (${Math.round(bytes / 2 ** 20)} MiB) in ${seconds.toFixed(1)} s`,
  );
  if (!options.verify) return { seconds, bytes, venuesNamed: venuesNamed.size };
  // All-time counts only (what /api/data shows): every message of one RSVP shares a key, hence a partition,
  // so one fold over all of them gives the same counts as the per-partition folds.
  const oracle = countingOracle({
    partitions: new Map([[`${topic}:all`, kept]]),
    settings: { ...DEFAULT_PIPELINE_SETTINGS, windows: [] },
  }).allTime;
  kept.length = 0;
  return { seconds, bytes, venuesNamed: venuesNamed.size, oracle };
}
