import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, OPTION_ENTRIES, readConfig } from './config.js';

describe('readConfig', () => {
  it('has defaults for the local embedded run', () => {
    const config = readConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 5001,
      replay: undefined,
      rate: undefined,
      batchSize: 5000,
    });
    expect(config.pipeline.windows.map((w) => w.name)).toEqual(['1m', '1h']);
    expect(config.pipeline).toMatchObject({ maxOutOfOrdernessMs: 5_000, allowedLatenessMs: 60_000 });
  });

  it('reads --cors-origin (a list of origins, or *) and --behind-tls; both off by default', () => {
    expect(readConfig({})).toMatchObject({ corsOrigins: undefined, behindTls: false });
    expect(readConfig({ corsOrigin: '*', behindTls: 'on' })).toMatchObject({ corsOrigins: '*', behindTls: true });
    expect(readConfig({ corsOrigin: 'https://map.example, http://localhost:8080' }).corsOrigins).toEqual([
      'https://map.example',
      'http://localhost:8080',
    ]);
  });

  it('reads windows, durations and numbers', () => {
    const config = readConfig({
      windows: '30s, 1d/1h',
      allowedLateness: '0',
      outOfOrderness: '250ms',
      rate: '5000',
      port: '0',
      windowRetention: '2d',
    });
    expect(config.pipeline.windows).toEqual([
      { name: '30s', sizeMs: 30_000, slideMs: 30_000 },
      { name: '1d', sizeMs: 86_400_000, slideMs: 3_600_000 },
    ]);
    expect(config).toMatchObject({ rate: 5000, port: 0, pipeline: { allowedLatenessMs: 0, maxOutOfOrdernessMs: 250 } });
  });

  it.each([
    [{ port: '65536' }, /--port must be a whole number from 0 to 65535/],
    [{ port: '-1' }, /--port/],
    [{ rate: '0' }, /--rate/],
    [{ rate: '1.5' }, /--rate/],
    [{ windows: '1m,1m/30s' }, /same size/],
    [{ windows: '1x' }, /--windows: "1x" is not a window/],
    [{ allowedLateness: 'soon' }, /--allowed-lateness must be a duration/],
    [{ logLevel: 'loud' }, /--log-level/],
    [{ host: '' }, /--host/],
    [{ windowRetention: '1h' }, /--window-retention must exceed/],
    [{ corsOrigin: 'map.example' }, /--cors-origin: "map.example" is not an origin/],
    [{ corsOrigin: 'https://map.example/' }, /--cors-origin: "https:\/\/map.example\/" is not an origin/],
    [{ corsOrigin: 'ftp://map.example' }, /--cors-origin/],
    [{ corsOrigin: ' , ' }, /--cors-origin must name at least one origin/],
    [{ behindTls: 'yes' }, /--behind-tls must be one of on, off/],
  ])('refuses %j with a clear message', (raw, message) => {
    expect(() => readConfig(raw)).toThrow(ConfigError);
    expect(() => readConfig(raw)).toThrow(message);
  });

  it('reads the cluster settings: min.insync.replicas and consistency levels, with one-node defaults', () => {
    expect(readConfig({})).toMatchObject({
      kafka: { replicationFactor: 1, minInSyncReplicas: 1 },
      cassandra: { consistency: 'LOCAL_QUORUM', serialConsistency: 'LOCAL_SERIAL' },
    });
    expect(readConfig({ kafkaReplication: '3' }).kafka.minInSyncReplicas).toBe(2);
    expect(readConfig({ kafkaReplication: '5' }).kafka.minInSyncReplicas).toBe(3);
    expect(readConfig({ kafkaReplication: '2' }).kafka.minInSyncReplicas).toBe(1);
    expect(readConfig({ kafkaReplication: '3', kafkaMinInsync: '3' }).kafka.minInSyncReplicas).toBe(3);
    expect(() => readConfig({ kafkaReplication: '3', kafkaMinInsync: '4' })).toThrow(/--kafka-min-insync/);
    const cluster = readConfig({ cassandraConsistency: 'quorum', cassandraSerialConsistency: 'SERIAL' });
    expect(cluster.cassandra).toMatchObject({ consistency: 'QUORUM', serialConsistency: 'SERIAL' });
    // Checked by the Cassandra adapter's own rules (`checkCassandraOptions`), as bad usage (exit 2).
    expect(() => readConfig({ cassandraConsistency: 'SERIAL' })).toThrow(ConfigError);
    expect(() => readConfig({ cassandraConsistency: 'SERIAL' })).toThrow(
      /Cassandra: consistency "SERIAL": expected one of/,
    );
    expect(() => readConfig({ cassandraSerialConsistency: 'QUORUM' })).toThrow(ConfigError);
    expect(() => readConfig({ cassandraSerialConsistency: 'QUORUM' })).toThrow(
      /Cassandra: serial consistency "QUORUM"/,
    );
  });

  it('takes passwords from the environment only, and never prints them', () => {
    const config = readConfig(
      {
        kafkaSaslMechanism: 'scram-sha-512',
        kafkaSaslUsername: 'rsvp',
        kafkaTls: 'on',
        cassandraUsername: 'app',
        cassandraTls: 'on',
      },
      { kafkaSaslPassword: 'kafka-pw-123', cassandraPassword: 'cass-pw-456' },
    );
    expect(config.kafka.connection).toMatchObject({
      tls: true,
      sasl: { mechanism: 'scram-sha-512', username: 'rsvp', password: 'kafka-pw-123' },
    });
    expect(config.cassandra).toMatchObject({ tls: true, credentials: { username: 'app', password: 'cass-pw-456' } });
    const printed = [JSON.stringify(config), inspect(config, { depth: 9 }), inspect(config.cassandra.credentials)];
    expect(printed[0]).toContain('"password":"[redacted]"');
    for (const text of printed) {
      expect(text).not.toContain('kafka-pw-123');
      expect(text).not.toContain('cass-pw-456');
    }
    expect(OPTION_ENTRIES.map(([, spec]) => `${spec.flag} ${spec.env}`).join(' ')).not.toMatch(/password/i);
  });

  it('refuses a user name without its password, naming the variable', () => {
    expect(() => readConfig({ cassandraUsername: 'app' })).toThrow(/RSVP_CASSANDRA_PASSWORD/);
    expect(() => readConfig({ kafkaSaslMechanism: 'plain', kafkaSaslUsername: 'u' })).toThrow(
      /RSVP_KAFKA_SASL_PASSWORD/,
    );
    expect(() => readConfig({ kafkaSaslMechanism: 'gssapi' }, { kafkaSaslPassword: 'x' })).toThrow(
      /--kafka-sasl-mechanism/,
    );
  });
});
