import { randomBytes } from 'node:crypto';
import { connectionSettings } from '@rsvp/stack';
import { countStoreContract } from '@rsvp/testkit';
import cassandra from 'cassandra-driver';
import { afterAll, describe, expect, it } from 'vitest';
import { type CassandraCountStore, createCassandraCountStore } from './cassandra-count-store.js';

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
});
