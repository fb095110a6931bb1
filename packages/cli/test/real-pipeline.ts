import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { type CassandraCountStore, createCassandraCountStore } from '@rsvp/adapter-cassandra';
import { createKafka, createRecordSender, ensureTopics, partitionId, publish } from '@rsvp/adapter-kafka';
import {
  DEFAULT_PIPELINE_SETTINGS,
  isAccountedFor,
  lateCellName,
  type PartitionSnapshot,
  paneCellName,
  parseRsvp,
  type Tallies,
  type WindowSpec,
  windowCells,
  windowStartsContaining,
} from '@rsvp/core';
import { countingOracle, readTopic, recordedLines, repoRoot, waitFor } from '@rsvp/testkit';
import {
  type ChildExit,
  dropKeyspaces as dropEach,
  localStack,
  spawnCli as spawnRsvp,
  stackArgs,
  stopChild,
} from '@rsvp/testkit/harness';
import type { Kafka } from 'kafkajs';
import pino from 'pino';
import { expect } from 'vitest';
import { readConfig } from '../src/config.js';
import { createContainer } from '../src/container.js';
import { startServe } from '../src/roles.js';
import { systemClock } from '../src/system-clock.js';

/**
 * The real pipeline for integration tests: scenarios of their own (topic, group, keyspace) filled with the
 * recorded RSVPs and broken records, processors as child processes, and the exactness check.
 */
const local = localStack();
export const brokers = [...local.brokers];
export const contactPoints = [...local.contactPoints];
export const kafka: Kafka = createKafka({ brokers, clientId: 'exactly-once-test' });
export const PARTITIONS = 6;
const children: ChildProcess[] = [];
const keyspaces: string[] = [];

export interface Scenario {
  readonly topic: string;
  readonly group: string;
  readonly keyspace: string;
  readonly store: CassandraCountStore;
  readonly produced: number;
}

/** The real RSVPs, the broken lines of the original sample, a tombstone and invalid UTF-8. */
function corpus(): (Uint8Array | null)[] {
  const lines = recordedLines;
  const broken = lines('meetup.json').filter((line) => !parseRsvp(line).ok);
  const bytes = [...lines('meetup-rsvps.ndjson'), ...broken].map((line) => new TextEncoder().encode(line));
  return [...bytes, new Uint8Array([0x7b, 0xff, 0x7d]), null];
}

/** A topic, group and keyspace of its own; filled with `corpus()` unless `prefill` is false. */
export async function scenario({ prefill = true } = {}): Promise<Scenario> {
  const id = randomBytes(5).toString('hex');
  const topic = `rsvps-${id}`;
  const keyspace = `rsvp_e2e_${id}`;
  keyspaces.push(keyspace);
  await ensureTopics(
    kafka,
    [topic, `${topic}.dlq`].map((name) => ({ topic: name, partitions: PARTITIONS, replicationFactor: 1 })),
  );
  const messages = prefill ? corpus() : [];
  if (prefill) {
    const producer = createRecordSender(kafka);
    await producer.connect();
    const values = messages.filter((m): m is Uint8Array => m !== null);
    await publish(producer, values, { topic, batchSize: 250, clock: systemClock });
    await producer.send(topic, [{ key: 'tombstone', value: null }]);
    await producer.disconnect();
  }
  const store = await createCassandraCountStore({
    contactPoints,
    localDataCenter: local.localDataCenter,
    keyspace,
    queryCacheMs: 0,
  });
  return { topic, group: `processors-${id}`, keyspace, store, produced: messages.length };
}

export function processorArgs(s: Scenario, extra: string[] = []): string[] {
  return [
    'process',
    ...stackArgs(s.topic, s.group, s.keyspace, local),
    // A short session timeout: a killed member's partitions move on after 6 s, not 30. Few held RSVP
    // states: partitions keep forgetting them and reading them back from Cassandra, through every fault.
    ...['--batch-size', '25', '--kafka-session-timeout', '6s', '--held-rsvps', '100'],
    ...['--log-level', 'warn', ...extra],
  ];
}

/** Starts `rsvp process` as a child; its log goes to test-artifacts/<topic>.log (fenced writers show there). */
export function spawnProcessor(s: Scenario, extra: string[] = []): ChildProcess {
  return spawnCli(s, processorArgs(s, extra));
}

/** `rsvp produce --source kafka` into the scenario's topic, replaying a file at a steady rate. */
export function spawnProducer(s: Scenario, file: string, rate: number): ChildProcess {
  const args = ['produce', '--source', 'kafka', '--kafka-brokers', brokers.join(','), '--kafka-topic', s.topic];
  args.push('--kafka-dlq-topic', `${s.topic}.dlq`, '--replay', file, '--rate', String(rate), '--batch-size', '50');
  return spawnCli(s, [...args, '--log-level', 'warn']);
}

/** `rsvp <args>` as a child process of this test; stderr to test-artifacts/<topic>.log. */
export function spawnCli(s: Pick<Scenario, 'topic'>, args: string[]): ChildProcess {
  mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
  const log = openSync(join(repoRoot, 'test-artifacts', `${s.topic}.log`), 'a');
  const child = spawnRsvp(args, { stderr: log });
  closeSync(log);
  children.push(child);
  return child;
}

export interface Exit extends ChildExit {
  readonly stdout: string;
  readonly ms: number;
}

/** Sends a signal and waits for the child to exit, with what it printed. */
export async function stopProcessor(child: ChildProcess, signal: NodeJS.Signals): Promise<Exit> {
  let stdout = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  const startedAt = Date.now();
  const exit = await stopChild(child, signal);
  return { ...exit, stdout, ms: Date.now() - startedAt };
}

/** Records the store has applied, over every partition. */
export async function applied(s: Pick<Scenario, 'store' | 'topic'>): Promise<number> {
  let total = 0;
  for (let p = 0; p < PARTITIONS; p++) total += (await s.store.load(partitionId(s.topic, p))).nextOffset;
  return total;
}

export const drained = (s: Pick<Scenario, 'store' | 'topic' | 'produced'>, timeoutMs?: number) =>
  waitFor('the processors to drain the topic', async () => (await applied(s)) === s.produced, timeoutMs);

export async function killAfterProgress(
  s: Scenario,
  child: ChildProcess,
  records: number,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<Exit> {
  const before = await applied(s);
  await waitFor(`${records} more records`, async () => (await applied(s)) >= Math.min(before + records, s.produced));
  return stopProcessor(child, signal);
}

/** A processor stopped with SIGTERM exits 0 and prints where every record it received went. */
export function expectCleanExit(exit: Exit): Tallies {
  expect(exit).toMatchObject({ code: 0, signal: null });
  const { tallies } = JSON.parse(exit.stdout) as { tallies: Tallies };
  expect(isAccountedFor(tallies)).toBe(true);
  return tallies;
}

/** Each window's non-zero counts as `name@start#venue=count`, summed from a partition's stored cells. */
function storedWindows(snapshot: PartitionSnapshot, specs: readonly WindowSpec[]): string[] {
  const counts = new Map(snapshot.windows.map((c) => [`${c.window}@${c.start}#${c.venueId}`, c.count]));
  const found: string[] = [];
  for (const spec of specs) {
    const own = snapshot.windows.filter((c) => c.window === paneCellName(spec) || c.window === lateCellName(spec));
    const starts = new Set(own.flatMap((c) => windowStartsContaining(spec, c.start)));
    for (const venueId of new Set(own.map((c) => c.venueId))) {
      for (const start of starts) {
        const count = windowCells(spec, start).reduce(
          (sum, c) => sum + (counts.get(`${c.window}@${c.start}#${venueId}`) ?? 0),
          0,
        );
        if (count !== 0) found.push(`${spec.name}@${start}#${venueId}=${count}`);
      }
    }
  }
  return found;
}

/** Every count in the store equals the oracle's over what Kafka holds, and every reject is in the DLQ. */
export async function expectExact(s: Scenario, client: Kafka = kafka): Promise<{ rejects: number }> {
  const topic = await readTopic(client, s.topic);
  expect([...topic.values()].reduce((n, messages) => n + messages.length, 0)).toBe(s.produced);
  const streams = new Map([...topic].map(([p, messages]) => [partitionId(s.topic, p), messages.map((m) => m.value)]));
  const settings = DEFAULT_PIPELINE_SETTINGS;

  const oracle = countingOracle({ partitions: streams, settings });
  expect(await s.store.topVenues({})).toEqual(oracle.allTime);

  // Every window of every partition, straight from the stored state.
  for (const [partition, values] of streams) {
    const perPartition = countingOracle({ partitions: new Map([[partition, values]]), settings });
    const expected = [...perPartition.windows].flatMap(([key, rows]) =>
      rows.map((r) => `${key}#${r.venueId}=${r.count}`),
    );
    const stored = storedWindows(await s.store.load(partition), settings.windows);
    expect(stored.sort()).toEqual(expected.sort());
  }

  // The dead-letter topic holds each reject once its duplicates (re-sent after a crash) are dropped.
  const rejects = [...streams].flatMap(([partition, values]) =>
    values.flatMap((value, offset) => (value === null || !parseRsvp(value).ok ? [`${partition}@${offset}`] : [])),
  );
  const letters = [...(await readTopic(client, `${s.topic}.dlq`)).values()].flat();
  expect([...new Set(letters.map((l) => l.key))].sort()).toEqual(rejects.sort());
  for (const letter of letters) {
    const [partition = '', offset] = (letter.key as string).split('@');
    const original = streams.get(partition)?.[Number(offset)];
    expect(letter.value === null ? null : new Uint8Array(letter.value)).toEqual(
      original === null ? null : new Uint8Array(original as Buffer),
    );
    expect(letter.headers['rsvp-dlq-reasons']).toMatch(/^[a-z0-9_]+(,[a-z0-9_]+)*$/);
  }
  return { rejects: rejects.length };
}

/** Kills the processors still running (call after each test). */
export function killProcessors(): void {
  for (const child of children.splice(0)) child.kill('SIGKILL');
}

/** Drops the keyspaces the scenarios made (call after all tests). */
export async function dropKeyspaces(): Promise<void> {
  await dropEach(keyspaces.splice(0), local);
}

/** Runs `pnpm stack:<command>` for some servers, e.g. `stack('down', 'cassandra')`. */
export async function stack(command: 'up' | 'down', ...servers: ('kafka' | 'cassandra')[]): Promise<void> {
  const { execFile } = await import('node:child_process');
  await new Promise<void>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', 'stack/src/cli.ts', command, ...servers],
      { cwd: repoRoot },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
}

/** `rsvp serve` over the scenario's keyspace, in this process, on an ephemeral port. */
export async function serveScenario(s: Scenario): Promise<{ url: string; stop(): Promise<void> }> {
  const config = readConfig({
    store: 'cassandra',
    cassandraKeyspace: s.keyspace,
    cassandraContactPoints: contactPoints.join(','),
    port: '0',
    logLevel: 'silent',
  });
  const container = await createContainer(config, pino({ level: 'silent' }));
  const api = await startServe(container);
  return {
    url: api.url as string,
    stop: async () => {
      await api.stop();
      await container.unbindAllAsync();
    },
  };
}
