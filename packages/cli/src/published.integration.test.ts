import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { recordedLines, repoRoot } from '@rsvp/testkit';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PUBLISHED = ['core', 'adapter-memory', 'adapter-kafka', 'adapter-cassandra', 'http-express', 'cli'];

interface Manifest {
  name: string;
  exports: Record<string, Record<string, string>>;
  dependencies?: Record<string, string>;
  bin?: Record<string, string>;
}

let packed: string; // where the tarballs are
let project: string; // a project outside the workspace that installs them

/** The files of a tarball, without the leading `package/`. */
async function contents(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((entry) => entry.replace(/^package\//, ''));
}

beforeAll(async () => {
  await run('npx', ['-y', 'pnpm@10', 'build'], { cwd: repoRoot }); // tsc -b, then the dashboard's bundle
  packed = mkdtempSync(join(tmpdir(), 'rsvp-packed-'));
  for (const name of PUBLISHED) {
    await run('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', packed], {
      cwd: join(repoRoot, 'packages', name),
    });
  }
  project = mkdtempSync(join(tmpdir(), 'rsvp-consumer-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const tarballs = readdirSync(packed).map((file) => join(packed, file));
  // Third-party dependencies come from the registry, at the newest versions the published ranges allow.
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: project });
}, 600_000);

describe('the published packages', () => {
  it.each(PUBLISHED)('@rsvp/%s: dist with declarations, every export present, no sources or tests', async (name) => {
    const tarball = readdirSync(packed).find((file) => file.startsWith(`rsvp-${name}-`)) as string;
    const files = await contents(join(packed, tarball));
    const manifest = JSON.parse(
      readFileSync(join(project, 'node_modules/@rsvp', name, 'package.json'), 'utf8'),
    ) as Manifest;

    expect(Object.keys(manifest.exports)).toEqual(['.']); // no deep imports
    const targets = Object.values(manifest.exports).flatMap((conditions) => Object.values(conditions));
    for (const target of [...targets, ...Object.values(manifest.bin ?? {})]) {
      expect(files).toContain(target.replace(/^\.\//, ''));
    }
    expect(files).toContain('dist/index.d.ts');
    expect(files.filter((file) => file.startsWith('src/') || /\.test\.[jt]s$/.test(file))).toEqual([]);
    expect(JSON.stringify(manifest.dependencies ?? {})).not.toMatch(/workspace:/);
  });

  it('imports every package by its name, from outside the workspace', async () => {
    const imports = PUBLISHED.map((name) => `Object.keys(await import('@rsvp/${name}')).length`).join(', ');
    writeFileSync(join(project, 'imports.mjs'), `console.log(JSON.stringify([${imports}]));`);
    const { stdout } = await run(process.execPath, ['imports.mjs'], { cwd: project });
    const exported = JSON.parse(stdout) as number[];
    expect(exported).toHaveLength(PUBLISHED.length);
    for (const count of exported) expect(count).toBeGreaterThan(0);
  });

  it('installs the rsvp command, which replays a file and accounts for every line', async () => {
    const lines = recordedLines('meetup.json').slice(0, 200);
    mkdirSync(join(project, 'data'), { recursive: true });
    writeFileSync(join(project, 'data/sample.ndjson'), `${lines.join('\n')}\n`);
    const { stdout } = await run(
      join(project, 'node_modules/.bin/rsvp'),
      ['process', '--replay', 'data/sample.ndjson', '--log-level', 'warn'],
      { cwd: project },
    );
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) as string) as {
      tallies: { received: number; counted: number };
      topVenues: unknown[];
    };
    expect(summary.tallies.received).toBe(lines.filter((line) => line.trim() !== '').length);
    expect(summary.tallies.counted).toBeGreaterThan(0);
    expect(summary.topVenues.length).toBeGreaterThan(0);
  });

  it('serves the dashboard script bundled at build time: esbuild is not installed, no bundler runs', async () => {
    const manifest = JSON.parse(
      readFileSync(join(project, 'node_modules/@rsvp/http-express/package.json'), 'utf8'),
    ) as Manifest;
    expect(Object.keys(manifest.dependencies ?? {})).not.toContain('esbuild');
    expect(existsSync(join(project, 'node_modules/esbuild'))).toBe(false);
    const bundle = readFileSync(join(project, 'node_modules/@rsvp/http-express/dist/dashboard.bundle.js'), 'utf8');

    const child = spawn(join(project, 'node_modules/.bin/rsvp'), ['all', '--port', '0', '--count', '50'], {
      cwd: project,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      let url: string | undefined;
      for await (const line of createInterface({ input: child.stderr })) {
        url = (JSON.parse(line) as { url?: string }).url;
        if (url) break;
      }
      const response = await fetch(`${url}/dashboard.js`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/javascript/);
      expect(await response.text()).toBe(bundle);
      expect(bundle).not.toMatch(/^import |\bimport\(|require\(/m);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect((await exited)[0]).toBe(0);
    }
  });
});
