import type { PartitionLag } from '@rsvp/adapter-kafka';
import type { BatchReport, FilterReason, ProblemCode } from '@rsvp/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics, served at `/metrics` by the API (`all`, `serve`) and, with
 * `--metrics-port`, by any role. Names:
 * - `rsvp_records_total{outcome, reason}`: every record by where it went (`applied`, `filtered`, `dead_lettered`);
 *   `applied`: applied to the counts (a yes or a no; it was `counted` before, which the dashboard's figure
 *   of RSVPs saying yes could be mistaken for)
 * - `rsvp_late_records_total`: applied records that found a window already closed
 * - `rsvp_batch_records`, `rsvp_batch_duration_seconds`, `rsvp_store_commit_duration_seconds`: per stored batch
 * - `rsvp_consumer_lag{topic, partition}`: records between the last stored batch and the partition's high
 *   watermark, for each Kafka partition this process consumes now (`--source kafka`; read at each scrape)
 * - `rsvp_http_request_duration_seconds{method, route, status}`
 * - Node's defaults (`process_*`, `nodejs_*`)
 */
export class RsvpMetrics {
  readonly registry = new Registry();
  private readLag: () => Iterable<PartitionLag> = () => [];
  private readonly records = new Counter({
    name: 'rsvp_records_total',
    help: 'Records received, by outcome and reason',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly late = new Counter({
    name: 'rsvp_late_records_total',
    help: 'Counted records that found a window already closed',
    registers: [this.registry],
  });
  private readonly batchRecords = new Histogram({
    name: 'rsvp_batch_records',
    help: 'Records per stored batch',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 5000],
    registers: [this.registry],
  });
  private readonly batchSeconds = new Histogram({
    name: 'rsvp_batch_duration_seconds',
    help: 'From the start of a batch to its commit',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly storeSeconds = new Histogram({
    name: 'rsvp_store_commit_duration_seconds',
    help: "The count store's commit of one batch",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly consumerLag = new Gauge({
    name: 'rsvp_consumer_lag',
    help: "Records behind the partition's high watermark, per Kafka partition this process consumes",
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
    // Read at each scrape, so partitions lost in a rebalance disappear.
    collect: () => {
      this.consumerLag.reset();
      for (const { topic, partition, lag } of this.readLag()) {
        this.consumerLag.set({ topic, partition: String(partition) }, lag);
      }
    },
  });
  private readonly httpSeconds = new Histogram({
    name: 'rsvp_http_request_duration_seconds',
    help: 'API requests by route pattern',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  batchStored(report: BatchReport): void {
    const { tallies } = report;
    if (tallies.counted > 0) this.records.inc({ outcome: 'applied', reason: '' }, tallies.counted);
    for (const [reason, n] of Object.entries(tallies.filtered) as [FilterReason, number][]) {
      this.records.inc({ outcome: 'filtered', reason }, n);
    }
    for (const [reason, n] of Object.entries(tallies.deadLettered) as [ProblemCode, number][]) {
      this.records.inc({ outcome: 'dead_lettered', reason }, n);
    }
    if (tallies.late > 0) this.late.inc(tallies.late);
    this.batchRecords.observe(tallies.received);
    this.batchSeconds.observe(report.durationMs / 1000);
    this.storeSeconds.observe(report.storeMs / 1000);
  }

  /** Where `rsvp_consumer_lag` comes from: the Kafka event source's `lag()`. */
  watchConsumerLag(read: () => Iterable<PartitionLag>): void {
    this.readLag = read;
  }

  requestDone(request: { method: string; route: string; status: number; seconds: number }): void {
    this.httpSeconds.observe(
      { method: request.method, route: request.route, status: String(request.status) },
      request.seconds,
    );
  }
}
