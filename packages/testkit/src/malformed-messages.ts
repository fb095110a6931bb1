import { type Rsvp, serializeRsvp } from '@rsvp/core';
import fc from 'fast-check';

const FIELDS = ['rsvp_id', 'mtime', 'response', 'guests', 'venue', 'member', 'event', 'group', 'visibility'];

/**
 * Broken messages of every kind seen on the wire or imaginable: cut off, retyped, corrupted bytes, byte
 * order marks and control characters, huge or deep values, non-finite numbers, prototype keys, empty
 * records and tombstones. Some are accidentally valid; the pipeline must account for each either way.
 */
export function malformedMessage(valid: fc.Arbitrary<Rsvp>): fc.Arbitrary<Uint8Array | string | null> {
  const wire = valid.map(serializeRsvp);
  const encoded = wire.map((text) => new TextEncoder().encode(text));
  return fc.oneof(
    wire.chain((text) => fc.nat(text.length - 1).map((n) => text.slice(0, n))),
    fc
      .tuple(wire, fc.constantFrom(...FIELDS), fc.jsonValue({ maxDepth: 2 }))
      .map(([text, field, value]) => JSON.stringify({ ...JSON.parse(text), [field]: value })),
    wire.chain((text) =>
      fc.constantFrom(...FIELDS).map((field) => JSON.stringify({ ...JSON.parse(text), [field]: undefined })),
    ),
    fc
      .tuple(encoded, fc.nat(), fc.integer({ min: 0x80, max: 0xff }))
      .map(([bytes, at, byte]) => Uint8Array.from(bytes, (b, i) => (i === at % bytes.length ? byte : b))),
    wire.map((text) => `\ufeff\ufeff${text}`),
    wire.map((text) => text.replace('"response"', '"res\u0000ponse"')),
    wire.map((text) => text.replace(/"mtime":\d+/, '"mtime":1e999')),
    wire.map((text) => text.replace(/"lat":[-\d.]+/, '"lat":NaN')),
    wire.map((text) => text.replace(/"lat":[-\d.]+/, '"lat":-91')),
    wire.map((text) => text.replace(/"mtime":\d+/, '"mtime":99999999999999999')),
    wire.map((text) => text.replace('"venue_name":"', `"venue_name":"${'x'.repeat(100_000)}`)),
    wire.map((text) => text.replace('{', '{"__proto__":{"response":"yes"},"constructor":{"prototype":{}},')),
    fc.constant(`${'['.repeat(50_000)}${']'.repeat(50_000)}`),
    fc.constantFrom('', ' ', '\n', '[]', '{}', 'null', 'true', '"yes"', '0', '{"rsvp_id":1}'),
    fc.constant(null),
    fc.uint8Array({ maxLength: 64 }),
    fc.string({ unit: 'binary', maxLength: 64 }),
  );
}
