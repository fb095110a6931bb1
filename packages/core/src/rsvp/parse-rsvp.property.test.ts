import { anyRsvp } from '@rsvp/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRsvp } from './parse-rsvp.js';
import { serializeRsvp } from './serialize-rsvp.js';

const neverThrows = (input: Uint8Array | string) => {
  const result = parseRsvp(input);
  expect(typeof result.ok).toBe('boolean');
  if (!result.ok) expect(result.problems.length).toBeGreaterThan(0);
};

describe('parseRsvp properties', () => {
  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), neverThrows), { numRuns: 2000 });
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), neverThrows), { numRuns: 2000 });
  });

  it('never throws on arbitrary JSON values, and reports a path-coded problem for each one it rejects', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (text) => {
        const result = parseRsvp(text);
        if (!result.ok) for (const p of result.problems) expect(p.message).not.toBe('');
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on valid messages with one field replaced by any JSON value', () => {
    const fields = ['rsvp_id', 'mtime', 'response', 'guests', 'venue', 'member', 'event', 'group', 'visibility'];
    fc.assert(
      fc.property(anyRsvp(), fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 2 }), (rsvp, field, value) => {
        const message = JSON.parse(serializeRsvp(rsvp));
        message[field] = value;
        neverThrows(JSON.stringify(message));
      }),
    );
  });

  it('reads back a serialized RSVP unchanged, from text and from bytes', () => {
    fc.assert(
      fc.property(anyRsvp(), (rsvp) => {
        const wire = serializeRsvp(rsvp);
        expect(parseRsvp(wire)).toEqual({ ok: true, value: rsvp });
        expect(parseRsvp(new TextEncoder().encode(wire), { maxMessageBytes: 1 << 20 })).toEqual({
          ok: true,
          value: rsvp,
        });
      }),
      { numRuns: 1000 },
    );
  });
});
