/**
 * `pnpm stack:up | stack:down | stack:status | stack:reset [kafka|cassandra]...`
 * Runs a real single-node Kafka and Cassandra on loopback, assembled from Maven Central.
 */
import { resolveSettings } from './settings.js';
import { down, reset, SERVER_NAMES, status, up, withStackLock } from './stack-commands.js';
import type { ServerName } from './versions.js';

const USAGE = `usage: tsx stack/src/cli.ts <up|down|status|reset> [--secured] [kafka|cassandra]...

  up      assemble (first run), configure and start the servers; wait until a client round trip works
  down    stop the servers this stack started (SIGTERM, then SIGKILL)
  status  show each server's state; exits 0 only if all are ready, 3 otherwise
  reset   stop the servers and delete their data, config and logs under .stack/ (keeps the jar cache)

Without server names, every server is meant. --secured: the secured stack instead, beside the plain one,
in .stack-secured/: Kafka's listener SASL_SSL with SCRAM-SHA-512 on 127.0.0.1:19093 (controller 19094),
Cassandra with client TLS and PasswordAuthenticator on 127.0.0.1:19142 (storage 17000, JMX 17199), a private CA and
the users' passwords generated on the first up (RSVP_SECURED_KAFKA_PORT, …_HEAP (256m / 512m), as below).
Environment: RSVP_KAFKA_PORT (9092),
RSVP_KAFKA_CONTROLLER_PORT (9093), RSVP_CASSANDRA_PORT (9042), RSVP_CASSANDRA_STORAGE_PORT (7000),
RSVP_CASSANDRA_JMX_PORT (7199, loopback only, for nodetool), RSVP_STACK_CACHE (~/.cache/rsvp-stack), RSVP_KAFKA_HEAP (512m), RSVP_CASSANDRA_HEAP (1g),
RSVP_KAFKA_READY_TIMEOUT (120 s), RSVP_CASSANDRA_READY_TIMEOUT (180 s).`;

function isServerName(value: string): value is ServerName {
  return (SERVER_NAMES as readonly string[]).includes(value);
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  const secured = args.includes('--secured');
  const rest = args.filter((arg) => arg !== '--secured');
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  const unknown = rest.filter((name) => !isServerName(name));
  if (unknown.length > 0) {
    console.error(`unknown server ${unknown.join(', ')}; expected ${SERVER_NAMES.join(' or ')}\n\n${USAGE}`);
    return 2;
  }
  const names = rest.length === 0 ? SERVER_NAMES : rest.filter(isServerName);
  const settings = resolveSettings(process.env, { secured });
  switch (command) {
    case 'up':
      return (await withStackLock(settings, () => up(settings, names))) ? 0 : 1;
    case 'down':
      return (await withStackLock(settings, () => down(settings, names))) ? 0 : 1;
    case 'status':
      return (await status(settings, names)) ? 0 : 3;
    case 'reset':
      return (await withStackLock(settings, () => reset(settings, names))) ? 0 : 1;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Client libraries may keep sockets or timers around; the answer is known, so leave now.
    process.exit(code);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
