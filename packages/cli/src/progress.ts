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
        counted: t.counted,
        filtered: t.filtered,
        deadLettered: t.deadLettered,
        late: t.late,
      },
      `${perSecond}/s · ${t.received} received · ${t.counted} counted · ${sumOf(t.filtered)} filtered · ${sumOf(t.deadLettered)} rejected`,
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
