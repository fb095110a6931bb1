import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedList } from './sorted-list.js';

interface Item {
  readonly key: number;
  readonly id: number;
}

const compare = (a: Item, b: Item) => a.key - b.key || a.id - b.id;

describe('SortedList', () => {
  it('holds what a sorted array holds after any inserts and deletes, across block splits', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            insert: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
            key: fc.integer({ min: 0, max: 50 }),
            pick: fc.nat(),
          }),
          {
            maxLength: 3_000,
            size: 'max',
          },
        ),
        fc.integer({ min: 0, max: 40 }),
        (operations, limit) => {
          const list = new SortedList<Item>(compare);
          const held: Item[] = [];
          let id = 0;
          for (const op of operations) {
            if (op.insert || held.length === 0) {
              const item = { key: op.key, id: id++ };
              list.insert(item);
              held.push(item);
            } else {
              const [item] = held.splice(op.pick % held.length, 1) as [Item];
              expect(list.delete(item)).toBe(true);
              expect(list.delete(item)).toBe(false);
            }
          }
          const sorted = [...held].sort(compare);
          expect(list.size).toBe(held.length);
          expect(list.first()).toEqual(sorted);
          expect(list.first(limit)).toEqual(sorted.slice(0, limit));
        },
      ),
      { numRuns: 40 },
    );
  });
});
