/**
 * A static check of the compose stack: CI has no Docker engine, so this reads docker-compose.yml and the
 * Dockerfile and holds them to the CLI they run. Every rsvp command in the compose file must be a role the
 * CLI has, with flags from its options table (OPTIONS) and values its own validation (readConfig)
 * accepts: renaming or dropping an option, or tightening a value, fails here before anyone runs compose.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Config, OPTION_ENTRIES, type OptionKey, readConfig, runCli, SECRET_ENV } from '@rsvp/cli';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(HERE, '../..');
const read = (file: string) => readFileSync(file, 'utf8');

interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: unknown[];
  container_name?: string;
  restart?: string;
}

// `merge: true`: compose files share settings through YAML merge keys (`<<: *rsvp`).
const compose = parse(read(path.join(HERE, 'docker-compose.yml')), { merge: true }) as {
  services?: Record<string, Service>;
};
const services: Record<string, Service> = compose.services ?? {};
const entries = Object.entries(services);
/** The services that run our image: the ones built from this repository. */
const appServices = entries.filter(([, s]) => s.build !== undefined);

const service = (name: string): Service => {
  const found = services[name];
  if (found === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};

const envOf = (s: Service): Record<string, string> => {
  const env: Record<string, string> = {};
  if (Array.isArray(s.environment)) {
    for (const item of s.environment) {
      const at = item.indexOf('=');
      if (at > 0) env[item.slice(0, at)] = item.slice(at + 1);
    }
  } else {
    for (const [key, value] of Object.entries(s.environment ?? {})) {
      if (value !== null) env[key] = String(value);
    }
  }
  return env;
};

type RawOptions = Parameters<typeof readConfig>[0];
type Secrets = NonNullable<Parameters<typeof readConfig>[1]>;

/** `--kafka-brokers` → kafkaBrokers, from the CLI's own table: the first token of each record's flag. */
const OPTIONS_BY_FLAG = new Map(
  OPTION_ENTRIES.map(([key, { flag }]) => [flag.split(' ')[0] ?? '', { key, takesValue: /[<[]/.test(flag) }]),
);
const OPTIONS_BY_ENV = new Map<string, OptionKey>(OPTION_ENTRIES.map(([key, { env }]) => [env, key]));

/** The role and options of an rsvp command, as the CLI would read them; throws on anything it would refuse. */
function parseCommand(command: readonly string[], env: Record<string, string>): { role: string; config: Config } {
  const [role, ...args] = command;
  if (role === undefined || role.startsWith('-')) throw new Error(`"${command.join(' ')}" names no role`);
  const raw: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const given = new Set<OptionKey>();
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('RSVP_')) continue;
    // Passwords are read from the environment only, beside the options table (SECRET_ENV).
    const secret = Object.entries(SECRET_ENV).find(([, variable]) => variable === name)?.[0];
    if (secret !== undefined) {
      secrets[secret] = value;
      continue;
    }
    const key = OPTIONS_BY_ENV.get(name);
    if (key === undefined) throw new Error(`${name} is not a variable the CLI reads`);
    raw[key] = value;
  }
  for (let i = 0; i < args.length; i++) {
    const token = args[i] ?? '';
    if (!token.startsWith('--')) throw new Error(`unexpected argument "${token}": the CLI takes only options`);
    const eq = token.indexOf('=');
    const flag = eq < 0 ? token : token.slice(0, eq);
    const option = OPTIONS_BY_FLAG.get(flag);
    if (option === undefined) throw new Error(`${flag} is not an option of the CLI`);
    let value = 'true';
    if (eq >= 0) value = token.slice(eq + 1);
    else if (option.takesValue) {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value`);
      value = next;
      i++;
    }
    if (given.has(option.key)) throw new Error(`${flag} is given twice`);
    given.add(option.key);
    raw[option.key] = value;
  }
  return { role, config: readConfig(raw as RawOptions, secrets as Secrets) };
}

const commandOf = (s: Service): string[] => {
  expect(Array.isArray(s.command), 'command should be a list (exec form), one argument per item').toBe(true);
  const command = s.command as unknown[];
  // Quoted where YAML would read a number or a mapping: the CLI receives strings.
  for (const arg of command) expect(arg, `command item ${JSON.stringify(arg)}`).toBeTypeOf('string');
  return command as string[];
};

/** `rsvp help <role>`: status 0 and the role's usage for a role the CLI has, status 2 for one it does not. */
async function helpStatus(role: string): Promise<{ status: number; text: string }> {
  let text = '';
  const status = await runCli(['help', role], {
    out: (chunk) => {
      text += chunk;
      return true;
    },
    err: (chunk) => {
      text += chunk;
    },
    stopRequested: new Promise<void>(() => {}),
    env: {},
  });
  return { status, text };
}

/** `name:tag` or `name@sha256:…`, never `latest` and never without a tag. */
function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return false;
  const tag = image.slice(colon + 1);
  return tag !== '' && tag !== 'latest' && /\d/.test(tag);
}

const majorMinor = (version: string) => version.split('.').slice(0, 2).join('.');
const imageTag = (s: Service) => (s.image ?? '').split(':')[1] ?? '';

describe('docker-compose.yml', () => {
  it('parses, and every service has a pinned image or is built from this repository', () => {
    expect(entries.length).toBeGreaterThan(0);
    for (const [name, s] of entries) {
      if (s.build !== undefined) {
        const build = typeof s.build === 'string' ? { context: s.build } : s.build;
        const context = path.resolve(HERE, build.context ?? '.');
        expect(existsSync(path.join(context, 'pnpm-workspace.yaml')), `${name}: build context is the repo root`).toBe(
          true,
        );
        expect(path.resolve(context, build.dockerfile ?? 'Dockerfile'), name).toBe(path.join(HERE, 'Dockerfile'));
      } else {
        expect(s.image, `${name}: image`).toBeTypeOf('string');
        expect(isPinned(s.image ?? ''), `${name}: "${s.image}" should pin a version tag`).toBe(true);
      }
    }
  });

  it('runs the Kafka and Cassandra versions the local stack tests against (same major.minor)', () => {
    const versions = JSON.parse(read(path.join(REPO, 'stack/versions.json'))) as {
      kafka: { version: string };
      cassandra: { version: string };
    };
    expect(service('kafka').image).toMatch(/^apache\/kafka:/);
    expect(majorMinor(imageTag(service('kafka')))).toBe(majorMinor(versions.kafka.version));
    expect(service('cassandra').image).toMatch(/^cassandra:/);
    expect(majorMinor(imageTag(service('cassandra')))).toBe(majorMinor(versions.cassandra.version));
  });

  it('has health checks on Kafka, Cassandra and the API, and waits on conditions', () => {
    for (const name of ['kafka', 'cassandra', 'api']) {
      const test = service(name).healthcheck?.test;
      expect(Array.isArray(test), `${name}: healthcheck.test should be a list`).toBe(true);
      const [kind, ...args] = test as unknown[];
      expect(['CMD', 'CMD-SHELL'], `${name}: healthcheck.test`).toContain(kind);
      expect(args.length, `${name}: healthcheck.test`).toBeGreaterThan(0);
      // A stray ': ' turns an unquoted item into a mapping: every item must be a string.
      for (const arg of args) expect(arg, `${name}: healthcheck.test`).toBeTypeOf('string');
    }
    for (const [name, s] of entries) {
      if (s.depends_on === undefined) continue;
      expect(Array.isArray(s.depends_on), `${name}: depends_on should give each dependency a condition`).toBe(false);
      for (const [target, { condition }] of Object.entries(s.depends_on as Record<string, { condition?: string }>)) {
        const dependency = service(target);
        expect(['service_healthy', 'service_completed_successfully'], `${name} → ${target}`).toContain(condition);
        if (condition === 'service_healthy') {
          expect(dependency.healthcheck?.test, `${target} needs a healthcheck for ${name}`).toBeDefined();
        } else {
          expect(dependency.restart, `${target} is one-shot`).toBe('no');
        }
      }
    }
  });

  it('keeps the long-running services up and runs the init services once', () => {
    for (const name of ['kafka', 'cassandra', 'producer', 'processor', 'api']) {
      expect(service(name).restart, name).toBe('unless-stopped');
    }
    for (const name of ['init-topics', 'init-schema']) expect(service(name).restart, name).toBe('no');
  });

  it('lets the processor scale: no container_name and no host port', () => {
    const processor = service('processor');
    expect(processor.container_name).toBeUndefined();
    expect(processor.ports).toBeUndefined();
  });

  it('runs only roles the CLI has', async () => {
    expect(appServices.map(([name]) => name).sort()).toEqual(
      ['api', 'init-schema', 'init-topics', 'processor', 'producer'].sort(),
    );
    for (const [name, s] of appServices) {
      expect(s.entrypoint, `${name}: the image's entrypoint runs the CLI`).toBeUndefined();
      const role = commandOf(s)[0] ?? '';
      const { status, text } = await helpStatus(role);
      expect(status, `${name}: "${role}" should be a role of the CLI`).toBe(0);
      expect(text).toContain(`Usage: rsvp ${role} [options]`);
    }
    // And the check itself can tell: a role that does not exist is refused.
    expect((await helpStatus('no-such-role')).status).toBe(2);
  });

  it('uses only options the CLI has, with values it accepts', () => {
    for (const [name, s] of appServices) {
      expect(() => parseCommand(commandOf(s), envOf(s)), name).not.toThrow();
    }
    // The parser refuses what the CLI would refuse.
    expect(() => parseCommand(['process', '--no-such-flag', 'x'], {})).toThrow(/not an option/);
    expect(() => parseCommand(['process', '--store', 'postgres'], {})).toThrow(/--store/);
    expect(() => parseCommand(['process', '--rate'], {})).toThrow(/needs a value/);
    expect(() => parseCommand(['process', '--rate', '1', '--rate=2'], {})).toThrow(/twice/);
    expect(() => parseCommand(['process'], { RSVP_NO_SUCH: '1' })).toThrow(/not a variable/);
  });

  describe('the services are wired to each other', () => {
    const run = (name: string) => parseCommand(commandOf(service(name)), envOf(service(name)));
    const advertised = envOf(service('kafka')).KAFKA_ADVERTISED_LISTENERS ?? '';

    it('produces into Kafka, processes from Kafka into Cassandra, and serves Cassandra', () => {
      const producer = run('producer');
      expect(producer.role).toBe('produce');
      expect(producer.config.source).toBe('kafka');

      const processor = run('processor');
      expect(processor.role).toBe('process');
      expect(processor.config.source).toBe('kafka');
      expect(processor.config.store).toBe('cassandra');

      const api = run('api');
      expect(api.role).toBe('serve');
      expect(api.config.store).toBe('cassandra');
      expect(api.config.host, 'inside a container the API must listen beyond loopback').toBe('0.0.0.0');
      expect(service('api').ports).toContain(`${api.config.port}:${api.config.port}`);
    });

    it('creates the topics and the schema once, counting nothing', () => {
      const topics = run('init-topics');
      expect(topics.role).toBe('produce');
      expect(topics.config.source).toBe('kafka');
      expect(topics.config.count).toBe(0);

      const schema = run('init-schema');
      expect(schema.role).toBe('process');
      expect(schema.config.source).toBe('memory');
      expect(schema.config.store).toBe('cassandra');
      expect(schema.config.count).toBe(0);
    });

    it('reaches Kafka and Cassandra by their service names and ports', () => {
      for (const name of ['init-topics', 'producer', 'processor']) {
        for (const broker of run(name).config.kafka.connection.brokers) {
          expect(advertised.split(','), `${name}: ${broker}`).toContain(`PLAINTEXT://${broker}`);
        }
      }
      for (const name of ['init-schema', 'processor', 'api']) {
        for (const point of run(name).config.cassandra.contactPoints) {
          expect(point, name).toBe('cassandra:9042');
        }
      }
    });

    it('agrees on topics, group, keyspace and windows', () => {
      const kafkaOf = (name: string) => {
        const { topic, deadLetterTopic, partitions, replicationFactor } = run(name).config.kafka;
        return { topic, deadLetterTopic, partitions, replicationFactor };
      };
      expect(kafkaOf('producer')).toEqual(kafkaOf('init-topics'));
      expect(kafkaOf('processor')).toEqual(kafkaOf('init-topics'));
      const storeOf = (name: string) => {
        const { config } = run(name);
        return { ...config.cassandra, contactPoints: [...config.cassandra.contactPoints] };
      };
      expect(storeOf('processor')).toEqual(storeOf('init-schema'));
      expect(storeOf('api')).toEqual(storeOf('init-schema'));
      // The API names the windows the processors write: both must have the same ones.
      expect(run('api').config.pipeline.windows).toEqual(run('processor').config.pipeline.windows);
    });
  });

  it("gives the processors the README's heap setting, and only them (the API's view grows with the venues)", () => {
    expect(envOf(service('processor')).NODE_OPTIONS).toMatch(/^--max-old-space-size=\d+$/);
    expect(envOf(service('api')).NODE_OPTIONS).toBeUndefined();
  });

  it('keeps Kafka from creating topics by itself (init-topics does)', () => {
    expect(envOf(service('kafka')).KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(envOf(service('kafka')).KAFKA_CONTROLLER_QUORUM_VOTERS).toBe('1@kafka:9093');
  });
});

describe('Dockerfile', () => {
  const dockerfile = read(path.join(HERE, 'Dockerfile'));
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const froms = instructions.filter((line) => /^FROM\s/i.test(line));

  it('is multi-stage, with pinned base images', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const stages: string[] = [];
    for (const from of froms) {
      const [, image = '', , stage] = from.split(/\s+/);
      if (!stages.includes(image)) expect(isPinned(image), `${from}: pin a version tag`).toBe(true);
      if (stage !== undefined) stages.push(stage);
    }
  });

  it('deploys @rsvp/cli and runs its bin, as the unprivileged node user', () => {
    const cli = JSON.parse(read(path.join(REPO, 'packages/cli/package.json'))) as {
      name: string;
      bin: Record<string, string>;
    };
    const bin = path.posix.normalize(cli.bin.rsvp ?? '');
    const lastStage = instructions.slice(instructions.lastIndexOf(froms.at(-1) ?? ''));
    const entrypoint = lastStage.find((line) => /^ENTRYPOINT\s/i.test(line)) ?? '';
    expect(JSON.parse(entrypoint.replace(/^ENTRYPOINT\s+/i, ''))).toEqual(['node', bin]);
    expect(bin).toBe('dist/main.js');
    expect(lastStage).toContain('USER node');
    expect(instructions.some((line) => line.includes(`--filter ${cli.name}`) && line.includes(' deploy '))).toBe(true);
  });

  it('keeps the host’s node_modules and build output out of the build context', () => {
    const ignore = read(path.join(HERE, 'Dockerfile.dockerignore')).split('\n');
    for (const pattern of ['**/node_modules', '**/dist', '**/*.tsbuildinfo']) expect(ignore).toContain(pattern);
  });
});
