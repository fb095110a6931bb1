import { randomBytes } from 'node:crypto';
import { connectionSettings } from '@rsvp/stack';
import { changeFeedContract, countStoreContract } from '@rsvp/testkit';
import cassandra from 'cassandra-driver';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CassandraCountStore, createCassandraCountStore } from './cassandra-count-store.js';

const { cassandra: local } = connectionSettings();
const contactPoints = local.contactPoints.map((host) => `${host}:${local.port}`);
const localDataCenter = local.localDataCenter;
const keyspaces: string[] = [];

/** A store over a keyspace of its own, so that every test starts empty. */
async function freshStore(queryCacheMs = 0): Promise<CassandraCountStore> {
  const keyspace = `rsvp_test_${randomBytes(6).toString('hex')}`;
  keyspaces.push(keyspace);
  return createCassandraCountStore({
    contactPoints,
    localDataCenter,
    keyspace,
    queryCacheMs,
  });
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

changeFeedContract('CassandraCountStore', async () => {
  const store = await freshStore();
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
});
