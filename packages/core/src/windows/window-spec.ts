import { failure, type Result, success } from '../result.js';

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

/** An RSVP belongs to at most this many windows of one family, and a window holds at most this many panes. */
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
 * Never throws: the spec, or what is wrong with the text.
 */
export function parseWindowSpec(text: string): Result<WindowSpec, string> {
  const [sizeText = '', slideText, ...rest] = text.split('/');
  const sizeMs = parseDuration(sizeText);
  const slideMs = slideText === undefined ? sizeMs : parseDuration(slideText);
  if (rest.length > 0 || sizeMs === undefined || slideMs === undefined) {
    return failure([`"${text}" is not a window: use a duration such as 1m, or size/slide such as 1h/5m`]);
  }
  if (slideMs > sizeMs) return failure([`window "${text}": the slide must not exceed the size`]);
  if (sizeMs / slideMs > MAX_WINDOWS_PER_EVENT) {
    return failure([`window "${text}": size/slide must be at most ${MAX_WINDOWS_PER_EVENT}`]);
  }
  if (sizeMs / paneMs({ name: sizeText, sizeMs, slideMs }) > MAX_WINDOWS_PER_EVENT) {
    return failure([
      `window "${text}": the slide must divide the size into at most ${MAX_WINDOWS_PER_EVENT} panes (use a slide that divides the size)`,
    ]);
  }
  return success({ name: sizeText, sizeMs, slideMs });
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

/**
 * Counts are kept per pane, not per window: the pane is the longest slice that tiles every window of the
 * family (gcd of size and slide: the slide when it divides the size). An RSVP then changes one pane cell
 * per family, not one cell per window that contains it (12 for `1h/5m`); a window is the sum of its panes.
 */
export function paneMs(spec: WindowSpec): number {
  let [a, b] = [spec.sizeMs, spec.slideMs];
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** The stored cell name of a family's panes; the pane length is part of it, so a changed slide starts afresh. */
export function paneCellName(spec: WindowSpec): string {
  return `${spec.sizeMs}/${spec.slideMs}ms pane`;
}

/**
 * The stored cell name of a family's late corrections. A window, once closed, must not change; a late RSVP
 * still counts in its pane for the windows that are open, and the correction cell of each closed window
 * that holds the pane takes the change back.
 */
export function lateCellName(spec: WindowSpec): string {
  return `${spec.sizeMs}/${spec.slideMs}ms late`;
}

/** The stored cells (name, start) whose counts add up to the window of `spec` starting at `start`. */
export function windowCells(spec: WindowSpec, start: number): { readonly window: string; readonly start: number }[] {
  const pane = paneMs(spec);
  const name = paneCellName(spec);
  const cells = [];
  for (let at = start; at < start + spec.sizeMs; at += pane) cells.push({ window: name, start: at });
  cells.push({ window: lateCellName(spec), start });
  return cells;
}
