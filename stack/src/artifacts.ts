/**
 * Assembles a server's jars from Maven Central with `mvn dependency:copy-dependencies`
 * into `<cache>/<server>-<version>/lib` and reuses them on later runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { StackSettings } from './settings.js';
import { TEMPLATES_DIR } from './settings.js';
import { renderTemplate } from './templates.js';
import { loadVersions, type ServerName } from './versions.js';

export interface AssembledServer {
  readonly server: ServerName;
  readonly version: string;
  /** Directory holding every runtime jar of the server. */
  readonly libDir: string;
  /** True when this call ran Maven (first run, or the pinned artifacts changed). */
  readonly assembled: boolean;
  /** Time Maven took for this server (0 when the cache was used); excludes waiting for another Maven run. */
  readonly durationMs: number;
}

const MARKER = 'assembled.json';

/** Maven's colour codes, which batch mode does not always drop. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Maven runs one at a time: concurrent runs could race on the same files in ~/.m2. */
let mavenQueue: Promise<unknown> = Promise.resolve();

export function serverCacheDir(settings: StackSettings, server: ServerName): string {
  return path.join(settings.cacheDir, `${server}-${loadVersions()[server].version}`);
}

function dependencyXml(coordinate: string): string {
  const [groupId, artifactId, version] = coordinate.split(':');
  return [
    '    <dependency>',
    `      <groupId>${groupId}</groupId>`,
    `      <artifactId>${artifactId}</artifactId>`,
    `      <version>${version}</version>`,
    '    </dependency>',
  ].join('\n');
}

function isComplete(dir: string, artifacts: readonly string[]): boolean {
  const marker = path.join(dir, MARKER);
  const libDir = path.join(dir, 'lib');
  if (!existsSync(marker) || !existsSync(libDir)) return false;
  try {
    const recorded: unknown = JSON.parse(readFileSync(marker, 'utf8'));
    const same =
      typeof recorded === 'object' &&
      recorded !== null &&
      JSON.stringify((recorded as { artifacts?: unknown }).artifacts) === JSON.stringify(artifacts);
    return same && readdirSync(libDir).some((f) => f.endsWith('.jar'));
  } catch {
    return false;
  }
}

function runMaven(args: readonly string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const output: Buffer[] = [];
    const child = spawn('mvn', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          error.code === 'ENOENT'
            ? 'mvn was not found on PATH; install Apache Maven 3.x (e.g. `apt-get install maven`)'
            : `could not run mvn: ${error.message}`,
        ),
      );
    });
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      const text = Buffer.concat(output).toString('utf8').replace(ANSI_COLOUR, '').trim();
      reject(
        new Error(
          `mvn ${args.join(' ')} failed (${signal ?? `exit ${code}`}) in ${cwd}\n` +
            (text === '' ? '(no output)' : text),
        ),
      );
    });
  });
}

async function assemble(dir: string, server: ServerName): Promise<void> {
  const versions = loadVersions();
  const pinned = versions[server];
  mkdirSync(dir, { recursive: true });
  const pom = renderTemplate(
    readFileSync(path.join(TEMPLATES_DIR, 'pom.xml'), 'utf8'),
    {
      name: server,
      version: pinned.version,
      dependencies: pinned.artifacts.map(dependencyXml).join('\n'),
      dependencyPluginVersion: versions.maven.dependencyPlugin,
    },
    'pom.xml',
  );
  writeFileSync(path.join(dir, 'pom.xml'), pom);
  const staging = path.join(dir, 'lib.partial');
  const libDir = path.join(dir, 'lib');
  rmSync(staging, { recursive: true, force: true });
  await runMaven(
    [
      '-B',
      '-q',
      '-Dstyle.color=never',
      '-f',
      'pom.xml',
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${staging}`,
    ],
    dir,
  );
  rmSync(libDir, { recursive: true, force: true });
  renameSync(staging, libDir);
  writeFileSync(
    path.join(dir, MARKER),
    `${JSON.stringify({ artifacts: pinned.artifacts, assembledAt: new Date().toISOString() }, null, 2)}\n`,
  );
}

/** Returns the server's lib directory, running Maven first if the cache lacks it. */
export async function ensureArtifacts(settings: StackSettings, server: ServerName): Promise<AssembledServer> {
  const pinned = loadVersions()[server];
  const dir = serverCacheDir(settings, server);
  let durationMs = 0;
  if (!isComplete(dir, pinned.artifacts)) {
    const run = mavenQueue.then(async () => {
      if (isComplete(dir, pinned.artifacts)) return;
      const started = Date.now();
      await assemble(dir, server);
      durationMs = Date.now() - started;
    });
    mavenQueue = run.catch(() => undefined);
    await run;
  }
  return {
    server,
    version: pinned.version,
    libDir: path.join(dir, 'lib'),
    assembled: durationMs > 0,
    durationMs,
  };
}

/** Finds one jar in a lib directory by its artifact name prefix (e.g. `jamm-`). */
export function findJar(libDir: string, prefix: string): string {
  const jar = readdirSync(libDir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.jar'))
    .sort()
    .at(-1);
  if (jar === undefined) throw new Error(`no ${prefix}*.jar in ${libDir}`);
  return path.join(libDir, jar);
}
