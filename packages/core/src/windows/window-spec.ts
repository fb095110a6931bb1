/**
 * An event-time window family, aligned to the epoch (UTC): windows start at multiples of `slideMs` and
 * last `sizeMs`. Tumbling when slide equals size, hopping when it is smaller.
 */
export interface WindowSpec {
  /** How the API names it, e.g. `1m` or `1h`. */
  readonly name: string;
  readonly sizeMs: number;
  readonly slideMs: number;
}

/** An RSVP belongs to at most this many windows of one family; bounds the work per message. */
export const MAX_WINDOWS_PER_EVENT = 1000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `500ms`, `30s`, `5m`, `1h`, `1d`. Returns undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const match = /^([1-9][0-9]{0,8})(ms|s|m|h|d)$/.exec(text);
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * Reads `1h` (tumbling) or `1h/5m` (hopping: size / slide). The spec is named by its size.
 * Returns an error message instead of throwing.
 */
export function parseWindowSpec(text: string): WindowSpec | string {
  const [sizeText = '', slideText, ...rest] = text.split('/');
  const sizeMs = parseDuration(sizeText);
  const slideMs = slideText === undefined ? sizeMs : parseDuration(slideText);
  if (rest.length > 0 || sizeMs === undefined || slideMs === undefined) {
    return `"${text}" is not a window: use a duration such as 1m, or size/slide such as 1h/5m`;
  }
  if (slideMs > sizeMs) return `window "${text}": the slide must not exceed the size`;
  if (sizeMs / slideMs > MAX_WINDOWS_PER_EVENT) {
    return `window "${text}": size/slide must be at most ${MAX_WINDOWS_PER_EVENT}`;
  }
  return { name: sizeText, sizeMs, slideMs };
}

/** Start times of the windows of `spec` that contain event time `t`, newest first. */
export function windowStartsContaining(spec: WindowSpec, t: number): number[] {
  const starts: number[] = [];
  for (let start = Math.floor(t / spec.slideMs) * spec.slideMs; start > t - spec.sizeMs; start -= spec.slideMs) {
    starts.push(start);
  }
  return starts;
}

/**
 * The window the API shows for "now" = event time `t`: the one that ends at the first slide boundary after
 * `t`, i.e. the latest `sizeMs` of data. For tumbling windows, the window containing `t`.
 */
export function currentWindowStart(spec: WindowSpec, t: number): number {
  return Math.floor(t / spec.slideMs) * spec.slideMs + spec.slideMs - spec.sizeMs;
}
