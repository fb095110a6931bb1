/**
 * A Cassandra 5.0 node (CassandraDaemon), assembled from Maven Central: the one node of the default stack
 * (or of the secured one), or node `index` of a cluster on 127.0.0.<index + 1> (same ports on each address,
 * as `ccm` does).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import cassandra from 'cassandra-driver';
import { findJar } from './artifacts.js';
import { javaCommand, type ManagedServer, nodeName, serverPaths, withTimeout } from './managed-server.js';
import { startDetached } from './process-control.js';
import { ensureSecuredMaterial, readSecuredMaterial } from './secured.js';
import { CASSANDRA_LOCAL_DATA_CENTER, nodeHost, type StackSettings, settingsVariable } from './settings.js';
import { writeFromTemplate } from './templates.js';

/**
 * The module and GC settings of Cassandra 5.0's conf/jvm17-server.options (and the
 * relevant general ones of conf/jvm-server.options), as arguments rather than scripts.
 */
export const CASSANDRA_JVM17_OPTIONS: readonly string[] = [
  // GC (G1, as jvm17-server.options; region size left to the JVM for a small heap)
  '-XX:+UseG1GC',
  '-XX:+ParallelRefProcEnabled',
  '-XX:MaxTenuringThreshold=1',
  '-XX:G1RSetUpdatingPauseTimePercent=5',
  '-XX:MaxGCPauseMillis=300',
  '-XX:InitiatingHeapOccupancyPercent=70',
  // JPMS
  '-Djdk.attach.allowAttachSelf=true',
  '--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED',
  '--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED',
  '--add-exports=java.sql/java.sql=ALL-UNNAMED',
  '--add-exports=java.base/java.lang.ref=ALL-UNNAMED',
  '--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.module=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.math=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.module=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED',
  '--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  // Netty
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dio.netty.allocator.useCacheForAllThreads=true',
  '-Dio.netty.allocator.maxOrder=11',
  // From jvm-server.options
  '-Xss256k',
  '-XX:+UseThreadPriorities',
  '-XX:+PerfDisableSharedMem',
  '-XX:+HeapDumpOnOutOfMemoryError',
  '-XX:+CrashOnOutOfMemoryError',
  '-Djava.net.preferIPv4Stack=true',
];

/** Startup shortcuts that are safe for one node that is its own seed. */
const SINGLE_NODE_OPTIONS: readonly string[] = [
  '-Dcassandra.skip_wait_for_gossip_to_settle=0',
  '-Dcassandra.ring_delay_ms=1000',
  '-Dcassandra.superuser_setup_delay_ms=0',
  '-Dcassandra.shutdown_announce_in_ms=0',
];

/** Evenly spaced Murmur3 tokens, one per node (num_tokens 1), as `ccm` assigns them. */
export function initialToken(index: number, nodes: number): string {
  const span = 2n ** 64n;
  return String(-(2n ** 63n) + (span / BigInt(nodes)) * BigInt(index));
}

/**
 * One node: `rsvp-local`. A cluster: `rsvp-cluster-<random>`, fixed in the state directory, so its nodes
 * never gossip their way into another Cassandra that happens to hold the same storage port on 127.0.0.1
 * (nodes of different cluster names refuse each other).
 */
export function cassandraClusterName(settings: StackSettings): string {
  if (settings.nodes === 1) return 'rsvp-local';
  const file = path.join(settings.stateDir, 'cassandra-cluster-name');
  if (!existsSync(file)) {
    mkdirSync(settings.stateDir, { recursive: true });
    writeFileSync(file, `rsvp-cluster-${randomBytes(4).toString('hex')}\n`);
  }
  return readFileSync(file, 'utf8').trim();
}

export function cassandraServer(settings: StackSettings, index = 0): ManagedServer {
  const name = nodeName(settings, 'cassandra', index);
  const paths = serverPaths(settings, name);
  const { nodes } = settings;
  const { port, storagePort, heap } = settings.cassandra;
  const jmxPort = settings.cassandra.jmxPort + index;
  const host = nodeHost(index);
  const hosts = [...Array(nodes).keys()].map(nodeHost);
  const yamlFile = path.join(paths.confDir, 'cassandra.yaml');
  const logbackFile = path.join(paths.confDir, 'logback.xml');
  const triggersDir = path.join(paths.confDir, 'triggers');

  /** cassandra.yaml's security: none on the plain stack; a password and TLS for clients on the secured one. */
  const securityValues = () => {
    if (!settings.secured) {
      return {
        authenticatorNote: 'Local only: no authentication or authorisation.',
        authenticator: 'AllowAllAuthenticator',
        clientEncryption: '',
      };
    }
    const m = ensureSecuredMaterial(settings.stateDir);
    return {
      authenticatorNote: 'The secured stack: clients log in with a password (roles in system_auth).',
      authenticator: 'PasswordAuthenticator',
      clientEncryption: [
        '# The secured stack: clients must use TLS (a certificate of its private CA); no client certificates.',
        'client_encryption_options:',
        '  enabled: true',
        '  optional: false',
        `  keystore: ${m.keystoreFile}`,
        `  keystore_password: ${m.storePassword}`,
        `  truststore: ${m.truststoreFile}`,
        `  truststore_password: ${m.storePassword}`,
        '  store_type: PKCS12',
        '  require_client_auth: false',
      ].join('\n'),
    };
  };

  const client = (credentials?: { username: string; password: string }, timeoutMs = 3000) => {
    const secured = settings.secured ? readSecuredMaterial(settings.stateDir) : undefined;
    const login = credentials ?? secured?.cassandra;
    // Only this node: the driver would otherwise route the query to any node it discovers.
    const { DCAwareRoundRobinPolicy, WhiteListPolicy } = cassandra.policies.loadBalancing;
    return new cassandra.Client({
      contactPoints: [host],
      localDataCenter: CASSANDRA_LOCAL_DATA_CENTER,
      protocolOptions: { port },
      policies: {
        loadBalancing: new WhiteListPolicy(new DCAwareRoundRobinPolicy(CASSANDRA_LOCAL_DATA_CENTER), [
          `${host}:${port}`,
        ]),
      },
      socketOptions: { connectTimeout: Math.min(timeoutMs, 3000), readTimeout: timeoutMs },
      ...(secured && { sslOptions: { ca: [readFileSync(secured.caFile, 'utf8')] } }),
      ...(login && { credentials: { username: login.username, password: login.password } }),
    });
  };

  /**
   * The secured node's roles: the default superuser's password replaced by the generated one, and the
   * clients' login role. Idempotent; the node keeps them in system_auth across restarts.
   */
  const ensureRoles = async (timeoutMs: number): Promise<void> => {
    const { cassandra: users } = readSecuredMaterial(settings.stateDir);
    let admin = client({ username: users.superuser, password: users.superuserPassword }, timeoutMs);
    try {
      await admin.connect();
    } catch {
      await admin.shutdown().catch(() => undefined);
      admin = client({ username: users.superuser, password: 'cassandra' }, timeoutMs); // the node's default
      await admin.connect();
      await admin.execute(`ALTER ROLE ${users.superuser} WITH PASSWORD = '${users.superuserPassword}'`);
    }
    try {
      await admin.execute(
        `CREATE ROLE IF NOT EXISTS ${users.username} WITH PASSWORD = '${users.password}' AND LOGIN = true`,
      );
    } finally {
      await admin.shutdown().catch(() => undefined);
    }
  };

  return {
    name,
    kind: 'cassandra',
    host,
    paths,
    clientPort: port,
    ports: [
      { label: 'native', env: settingsVariable(settings, 'CASSANDRA_PORT'), port },
      { label: 'storage', env: settingsVariable(settings, 'CASSANDRA_STORAGE_PORT'), port: storagePort },
      { host: '127.0.0.1', label: 'jmx', env: settingsVariable(settings, 'CASSANDRA_JMX_PORT'), port: jmxPort },
    ],
    readyTimeoutMs: settings.cassandra.readyTimeoutMs,
    stopGraceMs: 60_000,

    async prepare() {
      for (const dir of [paths.confDir, paths.dataDir, paths.logDir, triggersDir]) mkdirSync(dir, { recursive: true });
      for (const sub of ['data', 'commitlog', 'saved_caches', 'hints', 'cdc_raw']) {
        mkdirSync(path.join(paths.dataDir, sub), { recursive: true });
      }
      writeFromTemplate('cassandra.yaml', yamlFile, {
        clusterName: cassandraClusterName(settings),
        host,
        port,
        storagePort,
        dataDir: paths.dataDir,
        // Every node is a seed, so any one restarts by itself; a new cluster's nodes start together with
        // balanced tokens and nothing to stream (no bootstrap). Hints let a node that was down catch up.
        seeds: hosts.map((h) => `${h}:${storagePort}`).join(','),
        clusterSettings:
          nodes === 1
            ? 'hinted_handoff_enabled: false'
            : [
                `initial_token: ${initialToken(index, nodes)}`,
                'auto_bootstrap: false',
                'hinted_handoff_enabled: true',
                'max_hint_window: 3h',
              ].join('\n'),
        ...securityValues(),
      });
      writeFromTemplate('cassandra-logback.xml', logbackFile, { rootLevel: 'INFO' });
    },

    start(libDir) {
      const args = [
        `-Xms${heap}`,
        `-Xmx${heap}`,
        ...CASSANDRA_JVM17_OPTIONS,
        `-javaagent:${findJar(libDir, 'jamm-')}`,
        `-Dcassandra.config=${pathToFileURL(yamlFile).href}`,
        '-Dcassandra-foreground=yes',
        `-Dcassandra.storagedir=${paths.dataDir}`,
        `-Dcassandra.logdir=${paths.logDir}`,
        `-Dlogback.configurationFile=${logbackFile}`,
        `-Dcassandra.triggers_dir=${triggersDir}`,
        ...SINGLE_NODE_OPTIONS,
        // JMX for nodetool (tablestats, tablehistograms): Cassandra binds a local port on loopback only.
        `-Dcassandra.jmx.local.port=${jmxPort}`,
        '-cp',
        path.join(libDir, '*'),
        'org.apache.cassandra.service.CassandraDaemon',
      ];
      return startDetached({
        command: javaCommand(),
        args,
        cwd: paths.dir,
        logFile: paths.logFile,
        pidFile: paths.pidFile,
      });
    },

    async probe(timeoutMs) {
      if (settings.secured)
        await withTimeout(ensureRoles(timeoutMs), timeoutMs, `no login on Cassandra within ${timeoutMs} ms`);
      const probe = client(undefined, timeoutMs);
      try {
        const result = await withTimeout(
          (async () => {
            await probe.connect();
            return probe.execute('SELECT release_version FROM system.local');
          })(),
          timeoutMs,
          `no answer from Cassandra within ${timeoutMs} ms`,
        );
        const version: unknown = result.first()?.get('release_version');
        if (typeof version !== 'string') throw new Error('system.local returned no release_version');
        if (nodes === 1) return `release ${version}`;
        // In a cluster: this node also knows its peers (gossip has met them).
        const peers = (await probe.execute('SELECT peer FROM system.peers_v2')).rowLength;
        if (peers < nodes - 1) throw new Error(`node ${host} knows ${peers} of its ${nodes - 1} peers`);
        return `release ${version}, node ${host}, ${peers} peers`;
      } finally {
        await probe.shutdown().catch(() => undefined);
      }
    },
  };
}
