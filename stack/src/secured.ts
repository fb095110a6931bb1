/**
 * What the secured stack (`stack:up --secured`) needs besides the servers: a private CA and a server
 * certificate made with openssl, the keystores made from them (openssl for the server's PKCS12 keystore,
 * keytool for the truststore), and the users and passwords of Kafka (SCRAM-SHA-512) and Cassandra
 * (PasswordAuthenticator). Generated once into `.stack-secured/tls` and `.stack-secured/secrets.json`
 * (mode 600), and reused until `stack:reset --secured`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CASSANDRA_LOCAL_DATA_CENTER, HOST, resolveSettings, type SecuredConnectionSettings } from './settings.js';

export interface SecuredMaterial {
  /** The private CA's certificate (PEM): what clients must trust (`--kafka-tls-ca`, `--cassandra-tls-ca`). */
  readonly caFile: string;
  /** The servers' key and certificate (for 127.0.0.1 and localhost), signed by the CA, as PKCS12. */
  readonly keystoreFile: string;
  /** The CA alone, as a PKCS12 truststore (the broker's own connections to itself). */
  readonly truststoreFile: string;
  readonly storePassword: string;
  /** The SCRAM-SHA-512 user of the clients, and the broker's own (inter-broker) user. */
  readonly kafka: {
    readonly username: string;
    readonly password: string;
    readonly brokerUsername: string;
    readonly brokerPassword: string;
  };
  /** A login role of Cassandra (created by `stack:up --secured`), besides the default superuser. */
  readonly cassandra: {
    readonly username: string;
    readonly password: string;
    readonly superuser: string;
    readonly superuserPassword: string;
  };
}

const secret = () => randomBytes(18).toString('hex');

function run(command: string, args: readonly string[], cwd: string): void {
  try {
    execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stderr, message } = error as { stderr?: Buffer; message: string };
    throw new Error(`${command} ${args[0] ?? ''} failed: ${message}\n${stderr?.toString() ?? ''}`);
  }
}

function paths(stateDir: string) {
  const tlsDir = path.join(stateDir, 'tls');
  return {
    tlsDir,
    secretsFile: path.join(stateDir, 'secrets.json'),
    caFile: path.join(tlsDir, 'ca.pem'),
    keystoreFile: path.join(tlsDir, 'server.p12'),
    truststoreFile: path.join(tlsDir, 'truststore.p12'),
  };
}

/** The secured stack's material, generated on first use. */
export function ensureSecuredMaterial(stateDir: string): SecuredMaterial {
  const p = paths(stateDir);
  if (existsSync(p.secretsFile) && existsSync(p.keystoreFile) && existsSync(p.truststoreFile)) {
    return readSecuredMaterial(stateDir);
  }
  rmSync(p.tlsDir, { recursive: true, force: true });
  mkdirSync(p.tlsDir, { recursive: true, mode: 0o700 });
  const storePassword = secret();
  const days = '825';
  run(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      days,
      '-subj',
      '/CN=rsvp-stack private test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    p.tlsDir,
  );
  run(
    'openssl',
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${HOST}`],
    p.tlsDir,
  );
  writeFileSync(
    path.join(p.tlsDir, 'server.ext'),
    `subjectAltName=IP:${HOST},DNS:localhost\nbasicConstraints=CA:FALSE\n` +
      'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  run(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      days,
      '-extfile',
      'server.ext',
    ],
    p.tlsDir,
  );
  run(
    'openssl',
    [
      'pkcs12',
      '-export',
      '-in',
      'server.pem',
      '-inkey',
      'server.key',
      '-certfile',
      'ca.pem',
      '-name',
      'server',
      '-out',
      'server.p12',
      '-passout',
      `pass:${storePassword}`,
    ],
    p.tlsDir,
  );
  run(
    'keytool',
    [
      '-importcert',
      '-noprompt',
      '-alias',
      'rsvp-stack-ca',
      '-file',
      'ca.pem',
      '-keystore',
      'truststore.p12',
      '-storetype',
      'PKCS12',
      '-storepass',
      storePassword,
    ],
    p.tlsDir,
  );
  rmSync(path.join(p.tlsDir, 'ca.key')); // nothing more is signed with it
  const material = {
    storePassword,
    kafka: { username: 'rsvp', password: secret(), brokerUsername: 'broker', brokerPassword: secret() },
    cassandra: { username: 'rsvp', password: secret(), superuser: 'cassandra', superuserPassword: secret() },
  };
  writeFileSync(p.secretsFile, `${JSON.stringify(material, null, 2)}\n`, { mode: 0o600 });
  chmodSync(p.secretsFile, 0o600);
  return readSecuredMaterial(stateDir);
}

/** The material of a secured stack that was started (for tests); throws when there is none. */
export function readSecuredMaterial(stateDir: string): SecuredMaterial {
  const p = paths(stateDir);
  if (!existsSync(p.secretsFile)) {
    throw new Error(`no secured stack material in ${stateDir}: run \`tsx stack/src/cli.ts up --secured\` first`);
  }
  const stored = JSON.parse(readFileSync(p.secretsFile, 'utf8')) as Omit<
    SecuredMaterial,
    'caFile' | 'keystoreFile' | 'truststoreFile'
  >;
  return { ...stored, caFile: p.caFile, keystoreFile: p.keystoreFile, truststoreFile: p.truststoreFile };
}

/** Where the secured stack listens and how to log in (its material is generated by `up --secured`). */
export function securedConnectionSettings(env: NodeJS.ProcessEnv = process.env): SecuredConnectionSettings {
  const settings = resolveSettings(env, { secured: true });
  const material = readSecuredMaterial(settings.stateDir);
  return {
    kafka: {
      brokers: [`${HOST}:${settings.kafka.port}`],
      username: material.kafka.username,
      password: material.kafka.password,
    },
    cassandra: {
      contactPoints: [HOST],
      port: settings.cassandra.port,
      localDataCenter: CASSANDRA_LOCAL_DATA_CENTER,
      username: material.cassandra.username,
      password: material.cassandra.password,
    },
    caFile: material.caFile,
  };
}
