/** Errors the pipeline tells apart. A closed set; `retryable` says whether trying again can help. */
export type PipelineErrorCode = 'stale_writer' | 'store_unavailable' | 'dead_letter_unavailable';

export class PipelineError extends Error {
  constructor(
    readonly code: PipelineErrorCode,
    readonly retryable: boolean,
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
    super(
      'stale_writer',
      false,
      `partition ${partition}: expected stored position ${expected}, found ${stored ?? 'none'}`,
    );
    this.name = 'StaleWriterError';
  }
}
