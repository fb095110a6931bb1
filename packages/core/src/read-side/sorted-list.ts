/** Items per block before it splits: small enough that a splice is a short copy, large enough to stay shallow. */
const BLOCK = 512;

/**
 * A list kept in comparator order, as short sorted blocks (the layout of Python's `sortedcontainers`):
 * insert and delete cost a binary search and a splice within one block, and the first n items are read
 * in O(n). Items that compare equal must be the same item: the comparator is a total order.
 */
export class SortedList<T> {
  private blocks: T[][] = [];
  private sizeValue = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.sizeValue;
  }

  /** Replaces the content with items already in comparator order: O(n), for a rebuild. */
  reset(sorted: readonly T[]): void {
    this.blocks = [];
    for (let i = 0; i < sorted.length; i += BLOCK) this.blocks.push(sorted.slice(i, i + BLOCK));
    this.sizeValue = sorted.length;
  }

  insert(item: T): void {
    this.sizeValue++;
    if (this.blocks.length === 0) {
      this.blocks.push([item]);
      return;
    }
    const b = this.blockFor(item);
    const block = this.blocks[b] as T[];
    block.splice(this.positionIn(block, item), 0, item);
    if (block.length > 2 * BLOCK) this.blocks.splice(b + 1, 0, block.splice(BLOCK));
  }

  /** Removes the item (found by comparing, so its sort fields must be those it was inserted with). */
  delete(item: T): boolean {
    if (this.blocks.length === 0) return false;
    const b = this.blockFor(item);
    const block = this.blocks[b] as T[];
    const at = this.positionIn(block, item);
    if (at >= block.length || block[at] !== item) return false;
    block.splice(at, 1);
    this.sizeValue--;
    if (block.length === 0) this.blocks.splice(b, 1);
    return true;
  }

  /** The first `limit` items in order (all of them when absent). */
  first(limit = this.sizeValue): T[] {
    const items: T[] = [];
    for (const block of this.blocks) {
      for (const item of block) {
        if (items.length >= limit) return items;
        items.push(item);
      }
    }
    return items;
  }

  /** The first block whose last item is not before `item` (the last block when there is none). */
  private blockFor(item: T): number {
    let low = 0;
    let high = this.blocks.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const block = this.blocks[mid] as T[];
      if (this.compare(block[block.length - 1] as T, item) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The first position in `block` whose item is not before `item`. */
  private positionIn(block: T[], item: T): number {
    let low = 0;
    let high = block.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.compare(block[mid] as T, item) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
