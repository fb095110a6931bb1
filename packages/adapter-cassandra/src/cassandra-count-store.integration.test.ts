import { randomBytes } from 'node:crypto';
import {
  DEFAULT_PIPELINE_SETTINGS,
  type PartitionId,
  type PartitionSnapshot,
  Pipeline,
  RsvpSimulator,
  type WindowSpec,
} from '@rsvp/core';
import { connectionSettings } from '@rsvp/stack';
import { changeFeedContract, countStoreContract } from '@rsvp/testkit';
import { countingOracle } from '@rsvp/testkit/harness';
import cassandra from 'cassandra-driver';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CassandraCountStore, createCassandraCountStore } from './cassandra-count-store.js';
import type { CassandraOptions } from './cassandra-options.js';

const { cassandra: local } = connectionSettings();
const contactPoints = local.contactPoints.map((host) => `${host}:${local.port}`);
const localDataCenter = local.localDataCenter;
const keyspaces: string[] = [];

/** A store over a keyspace of its own, so that every test starts empty. */
async function freshStore(options: Partial<CassandraOptions> = {}) {
  const keyspace = `rsvp_test_${randomBytes(6).toString('hex')}`;
  keyspaces.push(keyspace);
  return openStore(keyspace, options);
}

/** Another store (its own client) over a keyspace: what a restarted process opens. */
function openStore(keyspace: string, options: Partial<CassandraOptions> = {}) {
  return createCassandraCountStore({ contactPoints, localDataCenter, keyspace, queryCacheMs: 0, ...options });
}

afterAll(async () => {
  const client = new cassandra.Client({ contactPoints, localDataCenter });
  for (const keyspace of keyspaces) await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  await client.shutdown();
});

countStoreContract('CassandraCountStore', async () => {
  const store = await freshStore();
  return { store, close: () => store.close() };
});

countStoreContract('CassandraCountStore folding its journal every 2 commits', async () => {
  const store = await freshStore({ foldEveryCommits: 2 });
  return { store, close: () => store.close() };
});

changeFeedContract('CassandraCountStore', async () => {
  const store = await freshStore();
  return { store, close: () => store.close() };
});

changeFeedContract('CassandraCountStore folding its journal every 2 commits', async () => {
  const store = await freshStore({ foldEveryCommits: 2 });
  return { store, close: () => store.close() };
});

describe('CassandraCountStore', () => {
  it('creates its schema idempotently: a second start on the same keyspace works', async () => {
    const first = await freshStore();
    const keyspace = keyspaces.at(-1) as string;
    await first.commit({
      partition: 'p',
      expectedNextOffset: 0,
      nextOffset: 3,
      maxEventTime: 9,
      rsvps: [],
      venues: [],
      windows: [],
    });
    const second = await createCassandraCountStore({ contactPoints, localDataCenter, keyspace });
    expect((await second.load('p')).nextOffset).toBe(3);
    expect(await second.isReady()).toBe(true);
    await Promise.all([first.close(), second.close()]);
  });

  it('refuses bad options before connecting', async () => {
    await expect(
      createCassandraCountStore({ contactPoints: ['127.0.0.1'], localDataCenter: 'dc', keyspace: 'Bad-Name' }),
    ).rejects.toThrow(/keyspace/);
    await expect(
      createCassandraCountStore({
        contactPoints: ['127.0.0.1'],
        localDataCenter: 'dc',
        keyspace: 'ok',
        replication: 'Simple:x',
      }),
    ).rejects.toThrow(/replication/);
  });

  it('reads the venues again only after a commit, however often it is asked', async () => {
    const seeded = await freshStore();
    const keyspace = keyspaces.at(-1) as string;
    const display = { venueName: 'V', groupCity: 'C', lat: 1, lon: 2, mtime: 1, rsvpId: 1, offset: 0 };
    const commit = (expectedNextOffset: number, count: number) =>
      seeded.commit({
        partition: 'p',
        expectedNextOffset,
        nextOffset: expectedNextOffset + 1,
        maxEventTime: 1,
        rsvps: [],
        venues: [{ venueId: 7, count, display }],
        windows: [],
      });
    await commit(0, 1);
    const client = new cassandra.Client({ contactPoints, localDataCenter });
    const execute = vi.spyOn(client, 'execute');
    const store = new CassandraCountStore({ client, keyspace, queryCacheMs: 0 });
    const scans = () => execute.mock.calls.filter(([query]) => String(query).includes("kind = 'venue'")).length;

    expect((await store.topVenues({}))[0]?.count).toBe(1);
    for (let i = 0; i < 5; i++) expect((await store.topVenues({}))[0]?.count).toBe(1);
    expect(scans()).toBe(1);
    await commit(1, 2);
    expect((await store.topVenues({}))[0]?.count).toBe(2);
    expect(scans()).toBe(2);
    await Promise.all([seeded.close(), store.close()]);
  });

  it('lets window rows expire after windowRetentionMs, keeping the rest', async () => {
    await freshStore();
    const keyspace = keyspaces.at(-1) as string;
    const store = await createCassandraCountStore({
      contactPoints,
      localDataCenter,
      keyspace,
      windowRetentionMs: 1_000,
    });
    const display = { venueName: 'V', groupCity: 'C', lat: 1, lon: 2, mtime: 1, rsvpId: 1, offset: 0 };
    await store.commit({
      partition: 'p',
      expectedNextOffset: 0,
      nextOffset: 1,
      maxEventTime: 1,
      rsvps: [{ rsvpId: 1, mtime: 1, venueId: 7 }],
      venues: [{ venueId: 7, count: 1, display }],
      windows: [{ window: '1m', start: 0, venueId: 7, count: 1 }],
    });
    expect((await store.load('p')).windows).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const loaded = await store.load('p');
    expect(loaded.windows).toEqual([]);
    expect(loaded.venues).toHaveLength(1);
    expect(loaded.rsvps).toHaveLength(1);
    expect(loaded.nextOffset).toBe(1);
    await store.close();
  });
  it('keeps a window row windowRetentionMs at least, written however close to the end of a second', async () => {
    // Cassandra counts a TTL from the whole second of the write: a 1 s TTL written at x.95 s ends at x+1.
    const store = await freshStore({ windowRetentionMs: 1_000, foldEveryCommits: 1 });
    while (Date.now() % 1_000 < 900) await new Promise((resolve) => setTimeout(resolve, 5));
    const writtenAt = Date.now();
    await store.commit({
      partition: 'p',
      expectedNextOffset: 0,
      nextOffset: 1,
      maxEventTime: 1,
      rsvps: [],
      venues: [{ venueId: 7, count: 1 }],
      windows: [{ window: '1m', start: 0, venueId: 7, count: 1 }],
    });
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (writtenAt % 1_000) + 100));
    expect(Date.now() - writtenAt).toBeLessThan(1_000);
    expect((await store.load('p')).windows).toEqual([{ window: '1m', start: 0, venueId: 7, count: 1 }]);
    await store.close();
  });
});

describe('CassandraCountStore journal (change records folded into rows every few commits)', () => {
  const T0 = Date.UTC(2017, 2, 19);
  const clock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
  const noLetters = { write: async () => {} };

  /** Simulated messages dated 200 ms apart (panes of several commits), split by RSVP into two partitions. */
  function messages(count: number): Map<PartitionId, string[]> {
    const simulator = new RsvpSimulator({ seed: 11, venueCount: 60 });
    const partitions = new Map<PartitionId, string[]>([
      ['j:0', []],
      ['j:1', []],
    ]);
    for (let i = 0; i < count; i++) {
      const value = simulator.next(T0 + i * 200);
      const id = Number(/"rsvp_id":(\d+)/.exec(value)?.[1] ?? i);
      partitions.get(`j:${id % 2}`)?.push(value);
    }
    return partitions;
  }

  it('counts exactly from folded rows and the records after them, across a restart', async () => {
    const input = messages(1_500);
    const settings = DEFAULT_PIPELINE_SETTINGS;
    const folding = await freshStore({ foldEveryCommits: 3 });
    const keyspace = keyspaces.at(-1) as string;
    const everyCommit = await freshStore({ foldEveryCommits: 1 });
    let stores = [folding, everyCommit];
    let pipelines = stores.map((store) => new Pipeline({ store, deadLetters: noLetters, clock }, settings));
    const batch = 40;
    const longest = Math.max(...[...input.values()].map((records) => records.length));
    for (let from = 0; from < longest; from += batch) {
      if (from === batch * 10) {
        // A restart halfway: the folding store's writer knows nothing of its journal but what it reads.
        await stores[0]?.close();
        stores = [await openStore(keyspace, { foldEveryCommits: 3 }), everyCommit];
        pipelines = stores.map((store) => new Pipeline({ store, deadLetters: noLetters, clock }, settings));
      }
      for (const [partition, records] of input) {
        const chunk = records.slice(from, from + batch).map((value, i) => ({ offset: from + i, value }));
        if (chunk.length === 0) continue;
        for (const pipeline of pipelines) await pipeline.handleBatch({ partition, records: chunk });
      }
    }
    const [restarted] = stores as [CassandraCountStore];
    const oracle = countingOracle({ partitions: input, settings });
    const limit = 1_000;
    expect(await restarted.topVenues({ limit })).toEqual(oracle.allTime);
    // A cold reader (its own client) sees the same partitions, and the same windows as the store that
    // wrote every commit's rows.
    const cold = await openStore(keyspace);
    for (const partition of input.keys()) {
      const loaded = await cold.load(partition);
      expect(loaded.nextOffset).toBe(input.get(partition)?.length);
      expect(normalized(loaded)).toEqual(normalized(await everyCommit.load(partition)));
    }
    const spec = settings.windows[1] as WindowSpec;
    for (const start of [T0, T0 + spec.slideMs, T0 + 2 * spec.slideMs]) {
      const window = { ...spec, start };
      expect(await cold.topVenues({ window, limit })).toEqual(await everyCommit.topVenues({ window, limit }));
    }
    expect((await cold.topVenues({ window: { ...spec, start: T0 }, limit })).length).toBeGreaterThan(0);
    await Promise.all([restarted.close(), everyCommit.close(), cold.close()]);
  }, 120_000);

  it('deletes change records folded more than changeRetentionMs ago, and only those', async () => {
    const store = await freshStore({ foldEveryCommits: 1, changeRetentionMs: 1_000 });
    const keyspace = keyspaces.at(-1) as string;
    const commit = (expectedNextOffset: number) =>
      store.commit({
        partition: 'p',
        expectedNextOffset,
        nextOffset: expectedNextOffset + 1,
        maxEventTime: 1,
        rsvps: [],
        venues: [{ venueId: 7, count: expectedNextOffset + 1 }],
        windows: [],
      });
    for (let offset = 0; offset < 4; offset++) await commit(offset);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    // The fold of commit 5 drops the records folded over a second before (1 to 4); the next ones, none.
    for (let offset = 4; offset < 8; offset++) await commit(offset);
    const client = new cassandra.Client({ contactPoints, localDataCenter });
    const { rows } = await client.execute(
      `SELECT window_start FROM ${keyspace}.partition_state WHERE source_partition = 'p' AND kind = 'change'`,
    );
    expect(rows.map((row) => Number(row.window_start))).toEqual([5, 6, 7, 8]);
    expect((await store.load('p')).venues).toEqual([{ venueId: 7, count: 8 }]);
    await Promise.all([store.close(), client.shutdown()]);
  });

  it('reads and extends a partition an earlier version wrote (a row per venue and cell, no fold offset)', async () => {
    await freshStore();
    const keyspace = keyspaces.at(-1) as string;
    const client = new cassandra.Client({ contactPoints, localDataCenter });
    const table = `${keyspace}.partition_state`;
    await client.execute(`UPDATE ${table} SET next_offset = 2, max_event_time = 5 WHERE source_partition = 'p'`);
    await client.execute(
      `UPDATE ${table} SET count = 2, venue_name = 'Hall', group_city = 'Oslo', lat = 1, lon = 2, shown_mtime = 5, shown_rsvp_id = 1, shown_offset = 1 WHERE source_partition = 'p' AND kind = 'venue' AND window = '' AND window_start = 0 AND id = 7`,
    );
    await client.execute(
      `UPDATE ${table} SET count = 2 WHERE source_partition = 'p' AND kind = 'window' AND window = '1m' AND window_start = 0 AND id = 7`,
    );
    // A record an earlier version wrote: already in the rows, so never applied again.
    await client.execute(
      `UPDATE ${table} SET changes = '{"p":1,"e":5,"c":[7,1],"w":[["1m",0,[7,1]]]}' WHERE source_partition = 'p' AND kind = 'change' AND window = '' AND window_start = 2 AND id = 0`,
    );
    const store = await openStore(keyspace, { foldEveryCommits: 1_000 });
    const loaded = await store.load('p');
    expect(loaded.venues).toMatchObject([{ venueId: 7, count: 2, display: { venueName: 'Hall' } }]);
    const next = (writer: CassandraCountStore, expectedNextOffset: number, count: number) =>
      writer.commit({
        partition: 'p',
        expectedNextOffset,
        nextOffset: expectedNextOffset + 1,
        maxEventTime: 6,
        rsvps: [],
        venues: [{ venueId: 7, count }],
        windows: [
          { window: '1m', start: 0, venueId: 7, count },
          { window: '1m', start: 0, venueId: 8, count: 1 },
        ],
      });
    await next(store, 2, 3); // a record only
    const afterRecord = await openStore(keyspace, { foldEveryCommits: 1 });
    expect((await afterRecord.load('p')).venues).toMatchObject([
      { venueId: 7, count: 3, display: { venueName: 'Hall' } },
    ]);
    await next(afterRecord, 3, 4); // folds
    const afterFold = await afterRecord.load('p');
    expect(afterFold.venues).toMatchObject([{ venueId: 7, count: 4, display: { venueName: 'Hall' } }]);
    expect(afterFold.windows).toEqual([
      { window: '1m', start: 0, venueId: 7, count: 4 },
      { window: '1m', start: 0, venueId: 8, count: 1 },
    ]);
    expect(await afterRecord.topVenues({})).toMatchObject([{ venueId: 7, count: 4, venueName: 'Hall' }]);
    await Promise.all([store.close(), afterRecord.close(), client.shutdown()]);
  });
});

/** A snapshot in a stable order, for comparing two stores' loads. */
function normalized(snapshot: PartitionSnapshot) {
  return {
    ...snapshot,
    rsvps: [...snapshot.rsvps].sort((a, b) => a.rsvpId - b.rsvpId),
    rsvpBuckets: [...(snapshot.rsvpBuckets ?? [])].sort((a, b) => a.bucket - b.bucket),
    venues: [...snapshot.venues].sort((a, b) => a.venueId - b.venueId),
    windows: [...snapshot.windows].sort(
      (a, b) => a.window.localeCompare(b.window) || a.start - b.start || a.venueId - b.venueId,
    ),
  };
}
