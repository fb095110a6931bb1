/**
 * `pnpm stack:up | stack:down | stack:status | stack:reset [--nodes <n> | --secured] [kafka|cassandra|kafka-2|…]...`
 * Runs a real Kafka and Cassandra on loopback, assembled from Maven Central: one node of each by
 * default, a cluster of n brokers and n Cassandra nodes with `--nodes n`, or the secured stack (TLS and
 * passwords, other ports, one node of each) with `--secured`.
 */
import { nodesFrom, resolveSettings } from './settings.js';
import { down, isServerSelector, reset, status, up, withStackLock } from './stack-commands.js';

const USAGE = `usage: tsx stack/src/cli.ts <up|down|status|reset> [--nodes <n> | --secured] [kafka|cassandra|kafka-<i>|cassandra-<i>]...

  up      assemble (first run), configure and start the servers; wait until a client round trip works
  down    stop the servers this stack started (SIGTERM, then SIGKILL)
  status  show each server's state; exits 0 only if all are ready, 3 otherwise
  reset   stop the servers and delete their data, config and logs under .stack/ (keeps the jar cache)

Without server names, every server is meant; \`kafka\` or \`cassandra\` means every node of it, and in a
cluster \`kafka-2\` or \`cassandra-3\` one node. --nodes <n> (or RSVP_STACK_NODES; default 1): n Kafka
brokers (KRaft, each also a controller) on 127.0.0.1 ports RSVP_KAFKA_PORT + i, controllers on
RSVP_KAFKA_CONTROLLER_PORT + i (default right after the brokers), and n Cassandra nodes on 127.0.0.1 …
127.0.0.<n> (same ports on each address; JMX on RSVP_CASSANDRA_JMX_PORT + i), state in .stack-cluster
(RSVP_STACK_DIR elsewhere). --secured: the secured stack instead (one node of each), beside the plain one,
in .stack-secured/: Kafka's listener SASL_SSL with SCRAM-SHA-512 on 127.0.0.1:19093 (controller 19094),
Cassandra with client TLS and PasswordAuthenticator on 127.0.0.1:19142 (storage 17000, JMX 17199), a private CA and
the users' passwords generated on the first up (RSVP_SECURED_KAFKA_PORT, …_HEAP (256m / 512m), as below).
Environment: RSVP_KAFKA_PORT (9092),
RSVP_KAFKA_CONTROLLER_PORT (9093), RSVP_CASSANDRA_PORT (9042), RSVP_CASSANDRA_STORAGE_PORT (7000),
RSVP_CASSANDRA_JMX_PORT (7199, loopback only, for nodetool), RSVP_STACK_CACHE (~/.cache/rsvp-stack), RSVP_KAFKA_HEAP (512m), RSVP_CASSANDRA_HEAP (1g),
RSVP_KAFKA_READY_TIMEOUT (120 s), RSVP_CASSANDRA_READY_TIMEOUT (180 s).`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  let nodes: number | undefined;
  let secured = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--nodes' || arg.startsWith('--nodes=')) {
      const value = arg === '--nodes' ? args[++i] : arg.slice('--nodes='.length);
      try {
        nodes = nodesFrom(value ?? '', '--nodes');
      } catch (error) {
        console.error(`${(error as Error).message}\n\n${USAGE}`);
        return 2;
      }
    } else if (arg === '--secured') {
      secured = true;
    } else {
      rest.push(arg);
    }
  }
  let settings: ReturnType<typeof resolveSettings>;
  try {
    settings = resolveSettings(process.env, { secured, ...(nodes !== undefined && { nodes }) });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const unknown = rest.filter((name) => !isServerSelector(settings, name));
  if (unknown.length > 0) {
    console.error(`unknown server ${unknown.join(', ')} for a stack of ${settings.nodes} node(s)\n\n${USAGE}`);
    return 2;
  }
  const names = rest.length === 0 ? ['kafka', 'cassandra'] : rest;
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
