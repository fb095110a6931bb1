export type { AggregationSettings } from './aggregation/aggregation-settings.js';
export { type ApplyOutcome, isNewer, PartitionAggregate } from './aggregation/partition-aggregate.js';
export {
  emptySnapshot,
  type PartitionCommit,
  type PartitionId,
  type PartitionSnapshot,
  type RsvpBucket,
  type RsvpState,
  type VenueDisplay,
  type VenueTotal,
  type WindowCount,
} from './aggregation/partition-state.js';
export { bucketExpired, RSVP_BUCKET_IDS, rsvpBucketOf } from './aggregation/rsvp-buckets.js';
export { RsvpTable } from './aggregation/rsvp-table.js';
export { compareVenueRows, VenueRanking, type VenueRow } from './aggregation/venue-ranking.js';
export { type BatchStreamOptions, batchStream } from './pipeline/batch-stream.js';
export {
  type BatchReport,
  DEFAULT_PIPELINE_SETTINGS,
  Pipeline,
  type PipelineDeps,
  type PipelineSettings,
} from './pipeline/pipeline.js';
export {
  addTallies,
  emptyTallies,
  type FilterReason,
  isAccountedFor,
  sumOf,
  type Tallies,
} from './pipeline/tallies.js';
export type { Clock } from './ports/clock.js';
export { type ChangeRecord, type CountChangeFeed, changeRecordOf } from './ports/count-change-feed.js';
export type { CountStore, LoadOptions } from './ports/count-store.js';
export type { DeadLetter, DeadLetterSink } from './ports/dead-letter-sink.js';
export { PipelineError, type PipelineErrorCode, StaleWriterError } from './ports/errors.js';
export type {
  BatchConsumer,
  EventSource,
  SourceBatch,
  SourceRecord,
} from './ports/event-source.js';
export type { TopVenuesRequest, VenueCountQuery, WindowRef } from './ports/venue-count-query.js';
export { MaintainedVenueQuery, type MaintainedVenueQueryOptions } from './read-side/maintained-venue-query.js';
export { SortedList } from './read-side/sorted-list.js';
export { type ApplyResult, VenueView, type VenueViewOptions } from './read-side/venue-view.js';
export { failure, type Result, success } from './result.js';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  type ParseOptions,
  type ParseResult,
  parseRsvp,
} from './rsvp/parse-rsvp.js';
export { PROBLEM_CODES, type Problem, type ProblemCode } from './rsvp/problem.js';
export {
  coordinateText,
  type Group,
  type GroupTopic,
  type MeetupEvent,
  type Member,
  type Rsvp,
  type RsvpResponse,
  type Venue,
} from './rsvp/rsvp.js';
export { serializeRsvp } from './rsvp/serialize-rsvp.js';
export { DEFAULT_SIMULATOR_OPTIONS, RsvpSimulator, type SimulatorOptions } from './simulator/rsvp-simulator.js';
export {
  currentWindowStart,
  lateCellName,
  MAX_WINDOWS_PER_EVENT,
  paneCellName,
  paneMs,
  parseDuration,
  parseWindowSpec,
  type WindowSpec,
  windowCells,
  windowStartsContaining,
} from './windows/window-spec.js';
