import {
  DEFAULT_PIPELINE_SETTINGS,
  type PipelineSettings,
  parseDuration,
  parseWindowSpec,
  type WindowSpec,
} from '@rsvp/core';

/** Everything the roles need, validated once, from flags and their environment variables. */
export interface Config {
  readonly host: string;
  readonly port: number;
  /** An NDJSON file of recorded RSVPs to replay instead of the simulator. */
  readonly replay: string | undefined;
  /** Messages per second; a replay runs as fast as it can unless given one. */
  readonly rate: number | undefined;
  /** Stop producing after this many messages. */
  readonly count: number | undefined;
  readonly seed: number;
  readonly venues: number;
  readonly batchSize: number;
  readonly progressIntervalMs: number;
  readonly logLevel: string;
  readonly pipeline: PipelineSettings;
}

export const DEFAULT_RATE = 200;

/** The raw option values commander hands over: strings, or undefined when not given. */
export type RawOptions = Partial<Record<keyof typeof OPTION_HELP, string>>;

/** The options every role accepts: flag, environment variable, default and help, in one table. */
export const OPTION_HELP = {
  host: ['--host <address>', 'RSVP_HOST', '127.0.0.1', 'address the API listens on (0.0.0.0 to expose it)'],
  port: ['--port <port>', 'RSVP_PORT', '5001', 'port the API listens on'],
  replay: [
    '--replay <file>',
    'RSVP_REPLAY',
    undefined,
    'replay an NDJSON file of recorded RSVPs instead of simulating',
  ],
  rate: [
    '--rate <per-second>',
    'RSVP_RATE',
    undefined,
    `messages per second (simulator default ${DEFAULT_RATE}; replays run flat out unless set)`,
  ],
  count: ['--count <n>', 'RSVP_COUNT', undefined, 'stop producing after n messages (simulator: endless by default)'],
  seed: ['--seed <n>', 'RSVP_SEED', '2017', 'seed of the simulator'],
  venues: ['--venues <n>', 'RSVP_VENUES', '2000', 'venues the simulator knows'],
  windows: [
    '--windows <list>',
    'RSVP_WINDOWS',
    '1m,1h/5m',
    'event-time windows: size (tumbling) or size/slide (hopping)',
  ],
  outOfOrderness: [
    '--out-of-orderness <duration>',
    'RSVP_OUT_OF_ORDERNESS',
    '5s',
    'how far the watermark trails the latest event time',
  ],
  allowedLateness: [
    '--allowed-lateness <duration>',
    'RSVP_ALLOWED_LATENESS',
    '1m',
    'how long a window stays open after the watermark passes it',
  ],
  batchSize: ['--batch-size <n>', 'RSVP_BATCH_SIZE', '500', 'records per batch'],
  progressInterval: [
    '--progress-interval <duration>',
    'RSVP_PROGRESS_INTERVAL',
    '5s',
    'how often to log a progress line',
  ],
  logLevel: ['--log-level <level>', 'RSVP_LOG_LEVEL', 'info', 'fatal, error, warn, info, debug or trace'],
} as const satisfies Record<string, readonly [string, string, string | undefined, string]>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Thrown for a bad option; the CLI prints its message and exits with status 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function readConfig(raw: RawOptions): Config {
  const value = (key: keyof typeof OPTION_HELP): string | undefined => raw[key] ?? OPTION_HELP[key][2];
  const flag = (key: keyof typeof OPTION_HELP) => OPTION_HELP[key][0].split(' ')[0];
  const integer = (key: keyof typeof OPTION_HELP, min: number, max: number): number | undefined => {
    const text = value(key);
    if (text === undefined) return undefined;
    const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
    if (!(n >= min && n <= max))
      throw new ConfigError(`${flag(key)} must be a whole number from ${min} to ${max}, got "${text}"`);
    return n;
  };
  const duration = (key: keyof typeof OPTION_HELP): number => {
    const text = value(key) ?? '';
    const ms = text === '0' ? 0 : parseDuration(text);
    if (ms === undefined)
      throw new ConfigError(`${flag(key)} must be a duration such as 500ms, 5s, 1m or 0, got "${text}"`);
    return ms;
  };
  const windows = (value('windows') ?? '').split(',').map((text): WindowSpec => {
    const spec = parseWindowSpec(text.trim());
    if (typeof spec === 'string') throw new ConfigError(`--windows: ${spec}`);
    return spec;
  });
  if (new Set(windows.map((w) => w.name)).size !== windows.length) {
    throw new ConfigError('--windows: two windows of the same size; the API names windows by their size');
  }
  const logLevel = value('logLevel') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const host = value('host') ?? '';
  if (host === '') throw new ConfigError('--host must not be empty');

  return {
    host,
    port: integer('port', 0, 65_535) as number,
    replay: value('replay'),
    rate: integer('rate', 1, 1_000_000),
    count: integer('count', 0, Number.MAX_SAFE_INTEGER),
    seed: integer('seed', 0, 2 ** 32 - 1) as number,
    venues: integer('venues', 1, 1_000_000) as number,
    batchSize: integer('batchSize', 1, 100_000) as number,
    progressIntervalMs: Math.max(duration('progressInterval'), 100),
    logLevel,
    pipeline: {
      ...DEFAULT_PIPELINE_SETTINGS,
      windows,
      maxOutOfOrdernessMs: duration('outOfOrderness'),
      allowedLatenessMs: duration('allowedLateness'),
    },
  };
}
