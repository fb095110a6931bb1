import { Command, Option } from 'commander';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import {
  type Config,
  ConfigError,
  OPTION_ENTRIES,
  type OptionSpec,
  type RawOptions,
  readConfig,
  SECRET_ENV,
  shownDefault,
} from './config.js';
import { createContainer } from './container.js';
import { failureLine } from './failure.js';
import { StatusLine } from './progress.js';
import { type RunningRole, startAll, startProcess, startProduce, startServe } from './roles.js';

/**
 * Exit statuses: 0 done (or stopped by SIGINT/SIGTERM), 1 failed while starting or running, 2 bad usage or
 * configuration. A second SIGINT/SIGTERM is not caught: the process dies of it (130/143 in a shell).
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

type Role = 'all' | 'serve' | 'produce' | 'process';

const ROLES: Record<Role, string> = {
  all: 'simulate or replay RSVPs, count them and serve the API, in one process (the default of `pnpm start`)',
  process:
    'count RSVPs from the source into the store (one consumer-group member with --source kafka); prints a JSON summary when it ends',
  produce:
    'send simulated (or replayed) RSVP messages to Kafka (--source kafka) or to stdout as NDJSON; progress and a summary on stderr',
  serve: 'serve the API over a shared store (--store cassandra)',
};

export interface CliIo {
  readonly out: (text: string) => boolean;
  readonly err: (text: string) => void;
  /** `err` is a terminal: logs are made readable there, and `rsvp produce` shows its progress in place. */
  readonly errIsTTY?: boolean;
  /** `out` is a terminal: `rsvp produce` writing NDJSON there keeps its progress off it, as log lines. */
  readonly outIsTTY?: boolean;
  /** Resolves when the process is asked to stop (SIGINT or SIGTERM). */
  readonly stopRequested: Promise<void>;
  readonly env: NodeJS.ProcessEnv;
}

/** Parses the arguments, runs the role, and returns the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let chosen: { role: Role; options: RawOptions } | undefined;
  const program = new Command('rsvp')
    .description('Real-time analytics of Meetup RSVPs: exact RSVP counts per venue.')
    .configureOutput({ writeOut: (s) => void io.out(s), writeErr: io.err })
    .exitOverride();
  for (const [role, description] of Object.entries(ROLES) as [Role, string][]) {
    const command = program.command(role).description(description);
    for (const [, spec] of OPTION_ENTRIES) command.addOption(commanderOption(spec));
    command.action((options: RawOptions) => {
      chosen = { role, options };
    });
  }

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? EXIT.ok : EXIT.usage;
  }
  if (chosen === undefined) {
    io.err(program.helpInformation());
    return EXIT.usage;
  }

  let config: Config;
  try {
    config = readConfig(withEnv(chosen.options, io.env), {
      kafkaSaslPassword: io.env[SECRET_ENV.kafkaSaslPassword],
      cassandraPassword: io.env[SECRET_ENV.cassandraPassword],
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`rsvp ${chosen.role}: ${error.message}\n`);
    return EXIT.usage;
  }
  // Logs go to stderr so that `rsvp produce` can own stdout: JSON lines, or readable ones in a terminal,
  // where they share the screen with the progress line of `rsvp produce` (printed above it).
  const statusLine = io.errIsTTY ? new StatusLine(io.err) : undefined;
  const destination = statusLine ? readableLines(statusLine) : pino.destination(2);
  const logger = pino({ level: config.logLevel, base: { role: chosen.role } }, destination);
  return runRole(chosen.role, config, logger, io, statusLine);
}

/** A pino destination writing pino-pretty's lines above the status line, synchronously. */
function readableLines(statusLine: StatusLine): { write(line: string): void } {
  const format = pretty.prettyFactory({});
  return { write: (line) => statusLine.print(format(line)) };
}

async function runRole(
  role: Role,
  config: Config,
  logger: Logger,
  io: CliIo,
  statusLine: StatusLine | undefined,
): Promise<number> {
  const container = await createContainer(config, logger);
  let running: RunningRole;
  try {
    running =
      role === 'all'
        ? await startAll(container)
        : role === 'process'
          ? await startProcess(container, (line) => void io.out(`${line}\n`))
          : role === 'produce'
            ? await startProduce(container, io.out, {
                progress: {
                  // In place on a terminal, unless the NDJSON goes to that terminal too; else log lines.
                  statusLine:
                    logger.isLevelEnabled('info') && !(config.source === 'memory' && io.outIsTTY)
                      ? statusLine
                      : undefined,
                },
              })
            : await startServe(container);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`rsvp ${role}: ${error.message}\n`);
      return EXIT.usage;
    }
    const reason = failureLine(error);
    logger.debug({ err: error }, 'could not start');
    logger.fatal({ reason }, `could not start: ${reason}`);
    return EXIT.failed;
  }
  const stopping = io.stopRequested.then(async () => {
    logger.info('stopping');
    await running.stop();
  });
  try {
    await Promise.race([running.done, stopping.then(() => running.done)]);
    return EXIT.ok;
  } catch (error) {
    const reason = failureLine(error);
    logger.debug({ err: error }, `${role} failed`);
    logger.fatal({ reason }, `${role} failed: ${reason}`);
    return EXIT.failed;
  } finally {
    await container.unbindAllAsync();
    logger.flush();
  }
}

/**
 * An option as commander takes it, from its record: flag, help with the default, variable. commander only
 * shows the default: `readConfig` applies it, for the callers without commander too (tests, bench), and
 * reads and checks every value, so the messages of bad values are the CLI's own.
 */
function commanderOption(spec: OptionSpec<unknown>): Option {
  const shown = shownDefault(spec);
  return new Option(spec.flag, shown === undefined ? spec.help : `${spec.help} (default ${shown})`).env(spec.env);
}

/** commander reads each option's variable only when the flag is absent; this keeps that explicit for tests. */
function withEnv(options: RawOptions, env: NodeJS.ProcessEnv): RawOptions {
  const merged: RawOptions = { ...options };
  for (const [key, spec] of OPTION_ENTRIES) {
    const value = env[spec.env];
    if (merged[key] === undefined && value !== undefined) merged[key] = value;
  }
  return merged;
}
