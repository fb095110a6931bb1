import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currentWindowStart,
  lateCellName,
  paneCellName,
  paneMs,
  parseDuration,
  parseWindowSpec,
  windowCells,
  windowStartsContaining,
} from './window-spec.js';

describe('window specs', () => {
  it('reads durations and window specs', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('0s')).toBeUndefined();
    expect(parseDuration('1.5h')).toBeUndefined();
    expect(parseWindowSpec('1m')).toEqual({ ok: true, value: { name: '1m', sizeMs: 60_000, slideMs: 60_000 } });
    expect(parseWindowSpec('1h/5m')).toEqual({ ok: true, value: { name: '1h', sizeMs: 3_600_000, slideMs: 300_000 } });
    expect(parseWindowSpec('5m/1h')).toEqual({ ok: false, problems: [expect.stringMatching(/slide must not exceed/)] });
    expect(parseWindowSpec('1d/1s')).toEqual({ ok: false, problems: [expect.stringMatching(/at most 1000/)] });
    expect(parseWindowSpec('soon')).toEqual({ ok: false, problems: [expect.stringMatching(/not a window/)] });
    expect(parseWindowSpec('1000001ms/1000000ms')).toEqual({
      ok: false,
      problems: [expect.stringMatching(/at most 1000 panes/)],
    });
  });

  it('puts an event time in every window that contains it and in no other', () => {
    const spec = fc
      .tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 10 }))
      .map(([slide, hops]) => ({ name: 'w', sizeMs: slide * hops, slideMs: slide }));
    fc.assert(
      fc.property(spec, fc.integer({ min: 0, max: 10_000 }), (w, t) => {
        const starts = windowStartsContaining(w, t);
        expect(starts).toHaveLength(w.sizeMs / w.slideMs);
        for (const s of starts) {
          expect(Math.abs(s % w.slideMs)).toBe(0);
          expect(s <= t && t < s + w.sizeMs).toBe(true);
        }
        expect(starts).toContain(currentWindowStart(w, t));
      }),
    );
  });

  it('tiles each window with whole panes, then its late correction', () => {
    const spec = fc
      .tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }))
      .filter(([size, slide]) => slide <= size)
      .map(([size, slide]) => ({ name: 'w', sizeMs: size * 1000, slideMs: slide * 1000 }));
    fc.assert(
      fc.property(spec, fc.integer({ min: 0, max: 1000 }), (w, k) => {
        const start = k * w.slideMs;
        const cells = windowCells(w, start);
        const panes = cells.slice(0, -1);
        expect(cells.at(-1)).toEqual({ window: lateCellName(w), start });
        expect(panes.map((c) => c.start)).toEqual(
          Array.from({ length: w.sizeMs / paneMs(w) }, (_, i) => start + i * paneMs(w)),
        );
        for (const pane of panes) expect(pane.window).toBe(paneCellName(w));
        expect((w.sizeMs % paneMs(w)) + (w.slideMs % paneMs(w))).toBe(0);
      }),
    );
  });
});
