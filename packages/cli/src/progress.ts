import { type Pipeline, sumOf } from '@rsvp/core';
import type { Logger } from 'pino';

/** Logs one line every interval: rate, totals, rejects. Returns the function that stops it. */
export function logProgress(pipeline: Pipeline, logger: Logger, intervalMs: number): () => void {
  let last = pipeline.tallies().received;
  let lastAt = Date.now();
  const timer = setInterval(() => {
    const t = pipeline.tallies();
    const now = Date.now();
    const perSecond = Math.round(((t.received - last) * 1000) / Math.max(1, now - lastAt));
    last = t.received;
    lastAt = now;
    logger.info(
      {
        perSecond,
        received: t.received,
        applied: t.counted,
        filtered: t.filtered,
        deadLettered: t.deadLettered,
        late: t.late,
      },
      `${perSecond}/s · ${t.received} received · ${t.counted} applied · ${sumOf(t.filtered)} filtered · ${sumOf(t.deadLettered)} rejected`,
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

const CLEAR_LINE = '\r\x1b[K';

/**
 * One line at the bottom of a terminal, rewritten in place (`\r`): the progress of `rsvp produce`. Whole
 * lines written through `print` (the log) go above it, and it is drawn again below them.
 */
export class StatusLine {
  private text = '';

  constructor(private readonly write: (text: string) => void) {}

  /** Shows `text` in place of the previous status. */
  show(text: string): void {
    this.text = text;
    this.write(`${CLEAR_LINE}${text}`);
  }

  /** Removes the status, leaving the cursor at the start of an empty line. */
  clear(): void {
    if (this.text === '') return;
    this.text = '';
    this.write(CLEAR_LINE);
  }

  /** Writes whole lines (ending in a newline) above the status. */
  print(lines: string): void {
    this.write(this.text === '' ? lines : `${CLEAR_LINE}${lines}${this.text}`);
  }
}

/** What a run of `rsvp produce` is heading for: a number of messages, or the bytes of the replayed file. */
export interface ProgressTotal {
  readonly unit: 'messages' | 'bytes';
  readonly value: number;
}

export interface ProduceProgressOptions {
  readonly logger: Logger;
  /** `stdout`, or `topic <name>`: where the messages go, for the summary. */
  readonly destination: string;
  /** Known for a replayed file (its size) or a bounded simulation (`--count`); the ETA needs it. */
  readonly total?: ProgressTotal | undefined;
  /** Whether the input is a replayed file, whose lines the summary counts. */
  readonly replay?: boolean;
  readonly now?: () => number;
}

export interface ProduceSummary {
  readonly sent: number;
  /** Messages taken from the input: lines of a replayed file, or simulated messages. */
  readonly read: number;
  /** Sent to Kafka without a key: no readable `rsvp_id` (the processor rejects them). */
  readonly unkeyed?: number;
  readonly durationMs: number;
  readonly perSecond: number;
  /** `done`: the input ended; `stopped`: asked to stop (SIGINT, SIGTERM); `failed`: sending failed. */
  readonly outcome: 'done' | 'stopped' | 'failed';
}

interface Sample {
  readonly at: number;
  readonly sent: number;
  readonly bytes: number;
}

/** Rates are measured over about this long, so that the ETA neither jumps nor lags far behind. */
const RATE_WINDOW_MS = 5_000;

/**
 * The progress of `rsvp produce`: messages read and sent, the rate, and an ETA when the total is known.
 * Shown on a `StatusLine` refreshed in place on a terminal, or logged as a line every interval otherwise
 * (stderr in both cases: stdout may carry the NDJSON); a summary is logged at the end.
 */
export class ProduceProgress {
  private read = 0;
  private bytes = 0;
  private sent = 0;
  private unkeyed: number | undefined;
  private readonly now: () => number;
  private readonly startedAt: number;
  private samples: Sample[];
  private timer: ReturnType<typeof setInterval> | undefined;
  private statusLine: StatusLine | undefined;

  constructor(private readonly options: ProduceProgressOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.samples = [{ at: this.startedAt, sent: 0, bytes: 0 }];
  }

  /** Reports on `statusLine` every quarter second, or, without one, logs a line every `intervalMs`. */
  start({ statusLine, intervalMs }: { statusLine?: StatusLine | undefined; intervalMs: number }): void {
    this.statusLine = statusLine;
    this.timer = setInterval(() => this.report(), statusLine ? 250 : intervalMs);
    this.timer.unref();
  }

  /** A message taken from the input, of this many bytes (its newline included). */
  onRead(bytes: number): void {
    this.read++;
    this.bytes += bytes;
  }

  /** Running totals: messages sent (acknowledged by Kafka, or written to stdout), and the unkeyed ones. */
  onSent(sent: number, unkeyed?: number): void {
    this.sent = sent;
    if (unkeyed !== undefined) this.unkeyed = unkeyed;
  }

  /** Shows or logs the progress now; called by the timer. */
  report(): void {
    const status = this.status();
    if (this.statusLine) this.statusLine.show(status.text);
    else this.options.logger.info(status.fields, status.text);
  }

  /** The progress line and its numbers, sampling the rate. */
  status(): { text: string; fields: Record<string, number> } {
    const now = this.now();
    this.samples.push({ at: now, sent: this.sent, bytes: this.bytes });
    while (this.samples.length > 2 && (this.samples[1] as Sample).at <= now - RATE_WINDOW_MS) this.samples.shift();
    const since = this.samples[0] as Sample;
    const seconds = (now - since.at) / 1000;
    const perSecond = seconds > 0 ? (this.sent - since.sent) / seconds : 0;
    const fields: Record<string, number> = { perSecond: Math.round(perSecond), sent: this.sent, read: this.read };
    const parts = [`${number(perSecond)}/s`];
    const { total } = this.options;
    if (total === undefined) {
      parts.push(`${number(this.sent)} sent`);
    } else {
      const done = total.unit === 'messages' ? this.sent : this.bytes;
      const unitsPerSecond = total.unit === 'messages' ? perSecond : seconds > 0 ? (done - since.bytes) / seconds : 0;
      const percent = total.value > 0 ? Math.min(100, Math.floor((done * 100) / total.value)) : 100;
      parts.push(
        total.unit === 'messages'
          ? `${number(this.sent)} of ${number(total.value)} sent (${percent}%)`
          : `${number(this.sent)} sent · ${mebibytes(done)} of ${mebibytes(total.value)} read (${percent}%)`,
      );
      fields.percent = percent;
      const remaining = Math.max(0, total.value - done);
      if (unitsPerSecond > 0) {
        const etaMs = (remaining / unitsPerSecond) * 1000;
        fields.etaSeconds = Math.round(etaMs / 1000);
        parts.push(`ETA ${duration(etaMs)}`);
      } else {
        parts.push('ETA –');
      }
    }
    return { text: parts.join(' · '), fields };
  }

  /** Stops reporting, clears the status line and logs the summary. */
  finish({ outcome }: { outcome: ProduceSummary['outcome'] }): ProduceSummary {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.statusLine?.clear();
    const durationMs = this.now() - this.startedAt;
    const perSecond = durationMs > 0 ? (this.sent * 1000) / durationMs : 0;
    const summary: ProduceSummary = {
      sent: this.sent,
      read: this.read,
      ...(this.unkeyed !== undefined && { unkeyed: this.unkeyed }),
      durationMs,
      perSecond: Math.round(perSecond),
      outcome,
    };
    const prefix = outcome === 'done' ? '' : `${outcome}: `;
    const read = this.options.replay ? `; ${number(this.read)} lines read` : '';
    const unkeyed = this.unkeyed ? `, ${number(this.unkeyed)} without an rsvp_id (sent without a key)` : '';
    this.options.logger[outcome === 'failed' ? 'warn' : 'info'](
      { ...summary, destination: this.options.destination },
      `${prefix}produced ${number(this.sent)} messages to ${this.options.destination} ` +
        `in ${duration(durationMs)} (${number(perSecond)}/s)${read}${unkeyed}`,
    );
    return summary;
  }
}

const numbers = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const number = (n: number) => numbers.format(n);
const mebibytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** `4.2s`, `31s`, `3m05s`, `1h02m`. */
export function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.round(s)}s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  const minutes = Math.round(whole / 60);
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
