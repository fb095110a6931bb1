/**
 * The CLI against secured servers (`tsx stack/src/cli.ts up --secured`, started by `pnpm test`): Kafka with a
 * SASL_SSL listener (SCRAM-SHA-512, a certificate of a private CA) and Cassandra requiring TLS and a password.
 * The whole pipeline runs through them with the right settings, and each wrong one fails at once, in one line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { DEFAULT_PIPELINE_SETTINGS } from '@rsvp/core';
import { connectionSettings, type SecuredConnectionSettings, securedConnectionSettings } from '@rsvp/stack';
import { countingOracle, recordedDataPath, recordedLines, repoRoot, waitFor } from '@rsvp/testkit';
import cassandra from 'cassandra-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let secured: SecuredConnectionSettings;
const id = randomBytes(4).toString('hex');
const topic = `rsvps-secured-${id}`;
const keyspace = `rsvp_secured_${id}`;
const children: ChildProcess[] = [];

beforeAll(() => {
  secured = securedConnectionSettings();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (secured === undefined) return;
  const client = new cassandra.Client({
    contactPoints: [`${secured.cassandra.contactPoints[0]}:${secured.cassandra.port}`],
    localDataCenter: secured.cassandra.localDataCenter,
    credentials: { username: secured.cassandra.username, password: secured.cassandra.password },
    sslOptions: { ca: [readFileSync(secured.caFile, 'utf8')], rejectUnauthorized: true },
  });
  await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
  await client.shutdown();
});

/** Every option and variable that reaches the secured servers the right way; `wrong` replaces some. */
function settings(wrong: { args?: Record<string, string | null>; env?: Record<string, string> } = {}) {
  const args: Record<string, string | null> = {
    '--kafka-brokers': secured.kafka.brokers.join(','),
    '--kafka-tls': 'on',
    '--kafka-tls-ca': secured.caFile,
    '--kafka-sasl-mechanism': 'scram-sha-512',
    '--kafka-sasl-username': secured.kafka.username,
    '--kafka-topic': topic,
    '--kafka-dlq-topic': `${topic}.dlq`,
    '--kafka-group': `group-${id}`,
    '--kafka-partitions': '3',
    '--cassandra-contact-points': `${secured.cassandra.contactPoints[0]}:${secured.cassandra.port}`,
    '--cassandra-tls': 'on',
    '--cassandra-tls-ca': secured.caFile,
    '--cassandra-username': secured.cassandra.username,
    '--cassandra-keyspace': keyspace,
    ...wrong.args,
  };
  return {
    args: Object.entries(args).flatMap(([flag, value]) => (value === null ? [] : [flag, value])),
    env: {
      ...process.env,
      RSVP_KAFKA_SASL_PASSWORD: secured.kafka.password,
      RSVP_CASSANDRA_PASSWORD: secured.cassandra.password,
      ...wrong.env,
    },
  };
}

interface Run {
  readonly child: ChildProcess;
  readonly exit: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

function rsvp(role: string[], options: { args: string[]; env: NodeJS.ProcessEnv }): Run {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@rsvp/source', 'packages/cli/src/main.ts', ...role, ...options.args],
    { cwd: repoRoot, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

const logLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { level: number; msg: string });

describe('asking for TLS', () => {
  it('gets TLS: --kafka-tls on fails against the plain-text broker of stack:up instead of sending in clear', async () => {
    const plain = connectionSettings();
    const run = rsvp(['produce', '--source', 'kafka', '--count', '1', '--log-level', 'warn'], {
      args: ['--kafka-brokers', plain.kafka.brokers.join(','), '--kafka-tls', 'on', '--kafka-topic', topic],
      env: { ...process.env, RSVP_KAFKA_RETRIES: '0' },
    });
    expect(await run.exit, run.stderr()).toBe(1);
    expect(logLines(run.stderr()).filter((line) => line.level >= 50)).toHaveLength(1);
  });
});

describe('through secured servers: Kafka SASL_SSL (SCRAM-SHA-512) and Cassandra with TLS and a password', () => {
  it('runs producer → processor → API with a private CA and the right credentials, counts exact', async () => {
    const produce = rsvp(['produce', '--source', 'kafka', '--replay', recordedDataPath('meetup.json')], settings());
    expect(await produce.exit, produce.stderr()).toBe(0);
    expect(produce.stderr()).toMatch(/produced 1,542 messages to topic rsvps-secured-/);

    const processor = rsvp(['process', '--source', 'kafka', '--store', 'cassandra'], settings());
    const serve = rsvp(['serve', '--store', 'cassandra', '--port', '0'], settings());
    let url = '';
    await waitFor('the API to listen', () => {
      const started = logLines(serve.stderr()).find((line) => line.msg.startsWith('API on '));
      url = (started as { url?: string } | undefined)?.url ?? '';
      return url !== '';
    });

    const oracle = countingOracle({
      partitions: new Map([['all', recordedLines('meetup.json')]]),
      settings: DEFAULT_PIPELINE_SETTINGS,
    });
    const expected = oracle.allTime.map((row) => row.count).reduce((a, b) => a + b, 0);
    expect(expected).toBe(681);
    await waitFor(
      'the API to serve all 681 RSVPs',
      async () => {
        const rows = (await (await fetch(`${url}/api/data`)).json()) as { count: number }[];
        return rows.reduce((sum, row) => sum + row.count, 0) === expected;
      },
      60_000,
    );
    const top = (await (await fetch(`${url}/api/data?limit=1`)).json()) as { venue_name: string; count: number }[];
    expect(top).toEqual([expect.objectContaining({ venue_name: oracle.allTime[0]?.venueName, count: 6 })]);

    processor.child.kill('SIGTERM');
    serve.child.kill('SIGTERM');
    expect(await processor.exit).toBe(0);
    expect(await serve.exit).toBe(0);
    const summary = JSON.parse(processor.stdout()) as { tallies: { received: number } };
    expect(summary.tallies.received).toBe(1542);
  }, 120_000);

  it.each([
    [
      'Kafka, a wrong password',
      () => ({ env: { RSVP_KAFKA_SASL_PASSWORD: 'not-the-password' } }),
      ['produce', '--source', 'kafka', '--count', '1'],
      /^could not start: Kafka: SASL SCRAM SHA512 authentication failed: .*invalid credentials.* \(check --kafka-sasl-username and RSVP_KAFKA_SASL_PASSWORD\)$/,
    ],
    [
      'Kafka, no TLS',
      () => ({ args: { '--kafka-tls': 'off', '--kafka-tls-ca': null, '--kafka-retries': '1' } }),
      ['produce', '--source', 'kafka', '--count', '1'],
      /^could not start: Kafka: Closed connection \(the server hung up: does it expect TLS \(--kafka-tls on\) or a login\?\)$/,
    ],
    [
      'Kafka, a certificate it does not trust (the system store)',
      () => ({ args: { '--kafka-tls-ca': null, '--kafka-retries': '1' } }),
      ['produce', '--source', 'kafka', '--count', '1'],
      /^could not start: Kafka: Connection error: self-signed certificate in certificate chain \(the certificate is not trusted: give the CA that signed it with --kafka-tls-ca\)$/,
    ],
    [
      'Cassandra, a wrong password',
      () => ({ env: { RSVP_CASSANDRA_PASSWORD: 'not-the-password' } }),
      ['serve', '--store', 'cassandra', '--port', '0'],
      /^could not start: Cassandra: no node could be used: 127\.0\.0\.1:\d+: Provided username rsvp and\/or password are incorrect \(check --cassandra-username and RSVP_CASSANDRA_PASSWORD\)$/,
    ],
    [
      'Cassandra, no TLS',
      () => ({ args: { '--cassandra-tls': 'off', '--cassandra-tls-ca': null } }),
      ['serve', '--store', 'cassandra', '--port', '0'],
      /^could not start: Cassandra: no node could be used: 127\.0\.0\.1:\d+: .* \(the server hung up: does it expect TLS \(--cassandra-tls on\) or a login\?\)$/,
    ],
    [
      'Cassandra, a certificate it does not trust (the system store)',
      () => ({ args: { '--cassandra-tls-ca': null } }),
      ['serve', '--store', 'cassandra', '--port', '0'],
      /^could not start: Cassandra: no node could be used: 127\.0\.0\.1:\d+: self-signed certificate in certificate chain \(the certificate is not trusted: give the CA that signed it with --cassandra-tls-ca\)$/,
    ],
  ] as const)('refuses %s: one clear error line, no stack trace, exit 1', async (_what, wrong, role, message) => {
    const run = rsvp([...role, '--log-level', 'warn'], settings(wrong()));
    const startedAt = Date.now();
    expect(await run.exit, run.stderr()).toBe(1);
    expect(Date.now() - startedAt).toBeLessThan(30_000);
    const lines = logLines(run.stderr());
    const errors = lines.filter((line) => line.level >= 50);
    expect(errors.map((line) => line.msg)).toEqual([expect.stringMatching(message)]);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
    expect(run.stderr()).not.toContain('"stack"');
  });
});
