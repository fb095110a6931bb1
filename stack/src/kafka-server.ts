/**
 * Kafka in KRaft mode (combined broker + controller), assembled from Maven Central: one node, or node
 * `index` of a cluster whose controller quorum is every node (ports `port + i`, `controllerPort + i`).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import { javaCommand, type ManagedServer, nodeName, serverPaths, withTimeout } from './managed-server.js';
import { startDetached } from './process-control.js';
import { ensureSecuredMaterial, readSecuredMaterial } from './secured.js';
import { HOST, type StackSettings, settingsVariable } from './settings.js';
import { writeFromTemplate } from './templates.js';

const { Kafka, logLevel } = kafkajs;
type KafkaConfig = ConstructorParameters<typeof Kafka>[0];
const execFileAsync = promisify(execFile);

/** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (as Kafka's Uuid). */
/**
 * A KRaft cluster id: 16 random bytes in base64url, as Kafka's own `Uuid.randomUuid()`, which also never
 * makes one starting with '-': `kafka-storage format -t <id>` would read that as an option (1 id in 64).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function kafkaServer(settings: StackSettings, index = 0): ManagedServer {
  const name = nodeName(settings, 'kafka', index);
  const paths = serverPaths(settings, name);
  const { nodes } = settings;
  const { heap } = settings.kafka;
  const port = settings.kafka.port + index;
  const controllerPort = settings.kafka.controllerPort + index;
  const nodeId = index + 1;
  const voters = [...Array(nodes).keys()].map((i) => `${i + 1}@${HOST}:${settings.kafka.controllerPort + i}`).join(',');
  // Replicated internal topics in a cluster; acks=all writes need 2 of 3 replicas in sync.
  const replication = Math.min(nodes, 3);
  const minInSync = replication === 1 ? 1 : replication - 1;
  const propertiesFile = path.join(paths.confDir, 'server.properties');
  const logbackFile = path.join(paths.confDir, 'logback.xml');
  // One cluster id for every node of the stack.
  const clusterIdFile =
    nodes === 1 ? path.join(paths.dir, 'cluster-id') : path.join(settings.stateDir, 'kafka-cluster-id');
  /** How our own clients (probe, warm-up) connect: through SASL_SSL with the private CA on the secured stack. */
  const clientSecurity = (): Pick<KafkaConfig, 'ssl' | 'sasl'> => {
    if (!settings.secured) return {};
    const material = readSecuredMaterial(settings.stateDir);
    const { username, password } = material.kafka;
    return {
      ssl: { ca: [readFileSync(material.caFile, 'utf8')] },
      sasl: { mechanism: 'scram-sha-512', username, password },
    };
  };
  /** The secured broker's listener settings: SASL_SSL with SCRAM-SHA-512, for clients and itself. */
  const securityProperties = (): string => {
    if (!settings.secured) return '';
    const m = ensureSecuredMaterial(settings.stateDir);
    return [
      '# The secured stack: TLS with a certificate of its private CA, and SCRAM-SHA-512 users.',
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule ' +
        `required username="${m.kafka.brokerUsername}" password="${m.kafka.brokerPassword}";`,
      'ssl.keystore.type=PKCS12',
      `ssl.keystore.location=${m.keystoreFile}`,
      `ssl.keystore.password=${m.storePassword}`,
      `ssl.key.password=${m.storePassword}`,
      'ssl.truststore.type=PKCS12',
      `ssl.truststore.location=${m.truststoreFile}`,
      `ssl.truststore.password=${m.storePassword}`,
      'ssl.client.auth=none',
      'ssl.endpoint.identification.algorithm=https',
    ].join('\n');
  };

  const jvmArgs = (libDir: string, logback = logbackFile): string[] => [
    `-Xms${heap}`,
    `-Xmx${heap}`,
    // The GC settings of Kafka's kafka-run-class.sh.
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    '-Djava.net.preferIPv4Stack=true',
    `-Dlogback.configurationFile=${logback}`,
    `-Dkafka.logs.dir=${paths.logDir}`,
    '-cp',
    path.join(libDir, '*'),
  ];

  return {
    name,
    kind: 'kafka',
    host: HOST,
    paths,
    clientPort: port,
    ports: [
      { label: 'broker', env: settingsVariable(settings, 'KAFKA_PORT'), port },
      { label: 'controller', env: settingsVariable(settings, 'KAFKA_CONTROLLER_PORT'), port: controllerPort },
    ],
    readyTimeoutMs: settings.kafka.readyTimeoutMs,
    stopGraceMs: 30_000,

    async prepare(libDir) {
      for (const dir of [paths.confDir, paths.dataDir, paths.logDir]) mkdirSync(dir, { recursive: true });
      writeFromTemplate('server.properties', propertiesFile, {
        host: HOST,
        port,
        controllerPort,
        nodeId,
        voters,
        replication,
        minInSync,
        dataDir: paths.dataDir,
        protocol: settings.secured ? 'SASL_SSL' : 'PLAINTEXT',
        security: securityProperties(),
      });
      writeFromTemplate('kafka-logback.xml', logbackFile, { rootLevel: 'INFO' });
      if (existsSync(path.join(paths.dataDir, 'meta.properties'))) return;
      // First start: format the log directory for a new KRaft cluster (every node with the same id).
      if (!existsSync(clusterIdFile)) {
        mkdirSync(path.dirname(clusterIdFile), { recursive: true });
        writeFileSync(clusterIdFile, `${newClusterId()}\n`);
      }
      const clusterId = readFileSync(clusterIdFile, 'utf8').trim();
      const formatLogback = path.join(paths.confDir, 'logback-tools.xml');
      writeFromTemplate('kafka-logback.xml', formatLogback, { rootLevel: 'WARN' });
      const args = [
        ...jvmArgs(libDir, formatLogback),
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        propertiesFile,
        '--ignore-formatted',
      ];
      if (settings.secured) {
        // SCRAM credentials of a KRaft cluster are written with its metadata at format time.
        const { kafka } = readSecuredMaterial(settings.stateDir);
        for (const [name, password] of [
          [kafka.username, kafka.password],
          [kafka.brokerUsername, kafka.brokerPassword],
        ]) {
          args.push('--add-scram', `SCRAM-SHA-512=[name=${name},password=${password}]`);
        }
      }
      try {
        await execFileAsync(javaCommand(), args, { cwd: paths.dir, maxBuffer: 16 * 1024 * 1024 });
      } catch (error) {
        const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
        throw new Error(`formatting Kafka storage failed: ${message}\n${stdout ?? ''}${stderr ?? ''}`);
      }
    },

    start(libDir) {
      return startDetached({
        command: javaCommand(),
        args: [...jvmArgs(libDir), 'kafka.Kafka', propertiesFile],
        cwd: paths.dir,
        logFile: paths.logFile,
        pidFile: paths.pidFile,
      });
    },

    async probe(timeoutMs) {
      const kafka = new Kafka({
        clientId: 'rsvp-stack-probe',
        brokers: [`${HOST}:${port}`],
        ...clientSecurity(),
        logLevel: logLevel.NOTHING,
        connectionTimeout: Math.min(timeoutMs, 3000),
        requestTimeout: timeoutMs,
        retry: { retries: 0 },
      });
      const admin = kafka.admin();
      try {
        const cluster = await withTimeout(
          (async () => {
            await admin.connect();
            return admin.describeCluster();
          })(),
          timeoutMs,
          `no answer from Kafka within ${timeoutMs} ms`,
        );
        if (cluster.brokers.length === 0) throw new Error('Kafka answered but lists no live broker yet');
        // In a cluster: this broker answered itself and is registered with the controllers.
        if (nodes > 1 && !cluster.brokers.some((b) => b.nodeId === nodeId)) {
          throw new Error(`broker ${nodeId} answered but is not registered yet`);
        }
        return `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)${nodes > 1 ? `, node ${nodeId}` : ''}`;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    },

    async warmUp() {
      // The first group lookup creates __consumer_offsets; do it now rather than in the first test,
      // where kafkajs would log "The group coordinator is not available" while it retries.
      const kafka = new Kafka({
        clientId: 'rsvp-stack-warmup',
        brokers: [`${HOST}:${port}`],
        ...clientSecurity(),
        logLevel: logLevel.NOTHING,
        retry: { retries: 10, initialRetryTime: 200 },
      });
      const admin = kafka.admin();
      // Likewise the first idempotent producer after a start gets "The coordinator is loading".
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      try {
        await admin.connect();
        await admin.describeGroups(['rsvp-stack-warmup']);
        await producer.connect();
        return 'group coordinator and producer ids ready';
      } finally {
        await producer.disconnect().catch(() => undefined);
        await admin.disconnect().catch(() => undefined);
      }
    },
  };
}
