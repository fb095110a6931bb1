import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { duration, ProduceProgress, type ProduceProgressOptions, StatusLine } from './progress.js';

function logged() {
  const records: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void records.push(JSON.parse(line)) });
  return { logger, records };
}

function progress(options: Partial<ProduceProgressOptions> & { clock: { t: number } }) {
  const { logger, records } = logged();
  const p = new ProduceProgress({ logger, destination: 'stdout', now: () => options.clock.t, ...options });
  return { p, records };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the progress of rsvp produce', () => {
  it('shows the rate, the share of a known number of messages and the ETA', () => {
    const clock = { t: 0 };
    const { p } = progress({ clock, total: { unit: 'messages', value: 1000 } });
    clock.t = 1000;
    p.onRead(1);
    p.onSent(100);
    expect(p.status()).toEqual({
      text: '100/s · 100 of 1,000 sent (10%) · ETA 9.0s',
      fields: { perSecond: 100, sent: 100, read: 1, percent: 10, etaSeconds: 9 },
    });
    clock.t = 2000;
    p.onSent(400); // 300/s over the last second, 200/s over both: the rate covers the last 5 s
    expect(p.status().text).toBe('200/s · 400 of 1,000 sent (40%) · ETA 3.0s');
  });

  it('measures the rate over the last five seconds only', () => {
    const clock = { t: 0 };
    const { p } = progress({ clock, total: { unit: 'messages', value: 100_000 } });
    for (let second = 1; second <= 10; second++) {
      clock.t = second * 1000;
      p.onSent(second <= 5 ? second * 100 : 500 + (second - 5) * 1000); // 100/s, then 1,000/s
      p.status();
    }
    expect(p.status().fields.perSecond).toBe(1000);
  });

  it('aims a replay at the bytes of the file, and has no ETA while nothing moves', () => {
    const clock = { t: 0 };
    const { p } = progress({ clock, total: { unit: 'bytes', value: 4 * 2 ** 20 }, replay: true });
    expect(p.status().text).toBe('0/s · 0 sent · 0.0 MiB of 4.0 MiB read (0%) · ETA –');
    clock.t = 2000;
    for (let i = 0; i < 1024; i++) p.onRead(1024);
    p.onSent(1000);
    expect(p.status().text).toBe('500/s · 1,000 sent · 1.0 MiB of 4.0 MiB read (25%) · ETA 6.0s');
  });

  it('has no ETA without a total', () => {
    const clock = { t: 0 };
    const { p } = progress({ clock });
    clock.t = 500;
    p.onSent(100);
    expect(p.status()).toEqual({ text: '200/s · 100 sent', fields: { perSecond: 200, sent: 100, read: 0 } });
  });

  it('logs a plain line every interval when stderr is not a terminal', () => {
    vi.useFakeTimers();
    const clock = { t: 0 };
    const { p, records } = progress({ clock, total: { unit: 'messages', value: 300 } });
    p.start({ intervalMs: 5000 });
    clock.t = 4999;
    vi.advanceTimersByTime(4999);
    expect(records).toEqual([]);
    clock.t = 5000;
    p.onSent(100);
    vi.advanceTimersByTime(1);
    clock.t = 10_000;
    p.onSent(200);
    vi.advanceTimersByTime(5000);
    expect(records.map((r) => r.msg)).toEqual([
      '20/s · 100 of 300 sent (33%) · ETA 10s',
      '20/s · 200 of 300 sent (66%) · ETA 5.0s',
    ]);
    p.finish({ outcome: 'done' });
    vi.advanceTimersByTime(60_000);
    expect(records).toHaveLength(3); // the summary, and no more progress
  });

  it('refreshes a status line in place on a terminal, then clears it for the summary', () => {
    vi.useFakeTimers();
    const clock = { t: 0 };
    const written: string[] = [];
    const { p, records } = progress({ clock, total: { unit: 'messages', value: 1000 } });
    p.start({ intervalMs: 5000, statusLine: new StatusLine((text) => void written.push(text)) });
    for (let i = 1; i <= 4; i++) {
      clock.t = i * 250;
      p.onSent(i * 50);
      vi.advanceTimersByTime(250);
    }
    expect(written).toHaveLength(4);
    expect(written.every((text) => text.startsWith('\r\x1b[K') && !text.includes('\n'))).toBe(true);
    expect(written.at(-1)).toBe('\r\x1b[K200/s · 200 of 1,000 sent (20%) · ETA 4.0s');
    expect(records).toEqual([]); // nothing logged while it is on the status line

    clock.t = 1500;
    p.onRead(300);
    p.onSent(300, 7);
    const summary = p.finish({ outcome: 'stopped' });
    expect(written.at(-1)).toBe('\r\x1b[K');
    expect(summary).toEqual({ sent: 300, read: 1, unkeyed: 7, durationMs: 1500, perSecond: 200, outcome: 'stopped' });
    expect(records.at(-1)).toMatchObject({
      ...summary,
      destination: 'stdout',
      msg: 'stopped: produced 300 messages to stdout in 1.5s (200/s), 7 without an rsvp_id (sent without a key)',
    });
  });

  it('counts the lines read of a replay in the summary', () => {
    const clock = { t: 0 };
    const { p, records } = progress({ clock, replay: true, destination: 'topic rsvps' });
    for (let i = 0; i < 12; i++) p.onRead(10);
    p.onSent(10, 0);
    clock.t = 2000;
    p.finish({ outcome: 'failed' });
    expect(records[0]).toMatchObject({
      level: 40,
      sent: 10,
      read: 12,
      unkeyed: 0,
      outcome: 'failed',
      msg: 'failed: produced 10 messages to topic rsvps in 2.0s (5/s); 12 lines read',
    });
  });

  it('keeps log lines above the status line', () => {
    const written: string[] = [];
    const line = new StatusLine((text) => void written.push(text));
    line.print('before\n');
    line.show('50%');
    line.print('a log line\n');
    line.clear();
    line.clear();
    expect(written).toEqual(['before\n', '\r\x1b[K50%', '\r\x1b[Ka log line\n50%', '\r\x1b[K']);
  });

  it('writes durations briefly', () => {
    expect([900, 31_400, 185_000, 3_720_000].map(duration)).toEqual(['0.9s', '31s', '3m05s', '1h02m']);
  });
});
