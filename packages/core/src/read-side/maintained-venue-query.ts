import type { PartitionId } from '../aggregation/partition-state.js';
import type { VenueRow } from '../aggregation/venue-ranking.js';
import type { Clock } from '../ports/clock.js';
import type { ChangeRecord, CountChangeFeed } from '../ports/count-change-feed.js';
import type { TopVenuesRequest, VenueCountQuery } from '../ports/venue-count-query.js';
import { VenueView, type VenueViewOptions } from './venue-view.js';

export interface MaintainedVenueQueryOptions extends VenueViewOptions {
  /** How often to ask the feed for new records (also when it can tell: a missed call costs no more than this). */
  readonly refreshMs: number;
  /** Hears about a refresh that failed; the view goes on answering from the committed state it has. */
  readonly onError?: (error: unknown) => void;
}

/**
 * The read side as a maintained view: reads every partition once, then applies the change records the
 * store commits with each batch, so an answer costs O(limit) and a refresh O(what changed). Only
 * committed records reach it, so it never shows what a fenced or crashed writer computed; a missing
 * record (pruned, or a reader that fell behind) makes it read that partition whole again.
 */
export class MaintainedVenueQuery implements VenueCountQuery {
  private readonly view: VenueView;
  private readonly known = new Set<PartitionId>();
  private loaded = false;
  private running = false;
  private refreshing: Promise<void> | undefined;
  private again = false;
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly feed: CountChangeFeed,
    private readonly clock: Clock,
    private readonly options: MaintainedVenueQueryOptions,
  ) {
    if (!(options.refreshMs > 0)) throw new RangeError('refreshMs must be positive');
    this.view = new VenueView(options);
  }

  /** Follows the feed until `stop`: polls every `refreshMs`, and at once when the feed tells of a commit. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unwatch = this.feed.watch?.(() => {
      this.refresh().catch((error) => this.options.onError?.(error));
    });
    void this.poll();
  }

  /** Stops following the feed; the poll in its sleep ends when it wakes. */
  async stop(): Promise<void> {
    this.running = false;
    this.unwatch?.();
    await this.refreshing?.catch(() => {});
  }

  async topVenues(request: TopVenuesRequest): Promise<VenueRow[]> {
    if (!this.loaded) await this.refresh();
    return this.view.top(request);
  }

  async allTimeTotal(): Promise<number> {
    if (!this.loaded) await this.refresh();
    return this.view.listedTotal();
  }

  async latestEventTime(): Promise<number | null> {
    if (!this.loaded) await this.refresh();
    return this.view.latestEventTime();
  }

  /**
   * Brings the view up to what the feed holds now. Calls during a refresh share it, and it then runs once
   * more, so that every caller sees at least what was committed when it called.
   */
  refresh(): Promise<void> {
    if (this.refreshing !== undefined) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.again = false;
          const partitions = await this.feed.partitionIds();
          await Promise.all(partitions.map((partition) => this.catchUp(partition)));
          this.loaded = true;
        } while (this.again);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async poll(): Promise<void> {
    while (this.running) {
      await this.refresh().catch((error) => this.options.onError?.(error));
      await this.clock.sleep(this.options.refreshMs);
    }
  }

  private async catchUp(partition: PartitionId): Promise<void> {
    if (this.known.has(partition)) {
      const records = await this.feed.changesSince(partition, this.view.offsetOf(partition));
      if (this.applyChain(records)) return;
    }
    // A partition first seen, or records missing: read it whole, then the records committed since.
    const snapshot = await this.feed.loadCounts(partition);
    const records = await this.feed.changesSince(partition, snapshot.nextOffset);
    this.view.replace(snapshot);
    this.known.add(partition);
    this.applyChain(records);
  }

  /** Applies records in chain order; false when one is missing. */
  private applyChain(records: readonly ChangeRecord[]): boolean {
    const ordered = [...records].sort((a, b) => a.nextOffset - b.nextOffset);
    for (const record of ordered) if (this.view.apply(record) === 'gap') return false;
    return true;
  }
}
