/** Errors the pipeline tells apart: a closed set, of one so far. */
export type PipelineErrorCode = 'stale_writer';

export class PipelineError extends Error {
  constructor(
    readonly code: PipelineErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PipelineError';
  }
}

/** Another writer advanced the partition: this one lost it (e.g. in a rebalance) and must not write. */
export class StaleWriterError extends PipelineError {
  constructor(partition: string, expected: number, stored: number | null) {
    super('stale_writer', `partition ${partition}: expected stored position ${expected}, found ${stored ?? 'none'}`);
    this.name = 'StaleWriterError';
  }
}
