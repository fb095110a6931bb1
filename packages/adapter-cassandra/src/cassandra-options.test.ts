import cassandra from 'cassandra-driver';
import { describe, expect, it } from 'vitest';
import { driverOptions, nativePort } from './cassandra-options.js';

const base = { contactPoints: ['127.0.0.1:19042', '127.0.0.2:19042'], localDataCenter: 'dc1', keyspace: 'rsvp' };

describe('driverOptions', () => {
  it('reaches discovered nodes on the contact points port, not on 9042', () => {
    expect(driverOptions(base).protocolOptions).toEqual({ port: 19042 });
    expect(nativePort(['a', 'b'])).toBe(9042);
    expect(() => nativePort(['a:9042', 'b:9043'])).toThrow(/same port/);
    // A bare IPv6 address (a contact point `checkCassandraOptions` accepts) names no port.
    expect(nativePort(['::1'])).toBe(9042);
    expect(nativePort(['[::1]:19042'])).toBe(19042);
  });

  it('uses LOCAL_QUORUM and LOCAL_SERIAL unless told otherwise', () => {
    const { consistencies } = cassandra.types;
    expect(driverOptions(base).queryOptions).toMatchObject({
      consistency: consistencies.localQuorum,
      serialConsistency: consistencies.localSerial,
    });
    const chosen = driverOptions({ ...base, consistency: 'QUORUM', serialConsistency: 'SERIAL' }).queryOptions;
    expect(chosen).toMatchObject({ consistency: consistencies.quorum, serialConsistency: consistencies.serial });
    expect(() => driverOptions({ ...base, consistency: 'SERIAL' as never })).toThrow(/consistency "SERIAL"/);
  });
});
