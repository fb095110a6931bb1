import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@rsvp/testkit';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CORE = join(repoRoot, 'packages/core');

describe('@rsvp/core as published', () => {
  it('packs, installs into a project outside the workspace, and runs the README example', async () => {
    await run(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', CORE], { cwd: repoRoot });
    const out = mkdtempSync(join(tmpdir(), 'rsvp-pack-'));
    await run('npx', ['-y', 'pnpm@10', 'pack', '--pack-destination', out], { cwd: CORE });
    const tarball = readdirSync(out).find((name) => name.endsWith('.tgz'));
    expect(tarball).toMatch(/^rsvp-core-\d+\.\d+\.\d+\.tgz$/);

    const project = mkdtempSync(join(tmpdir(), 'rsvp-import-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(out, tarball as string)], {
      cwd: project,
    });
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/@rsvp/core/package.json'), 'utf8'));
    expect(Object.keys(installed.dependencies ?? {})).toEqual([]);
    expect(readdirSync(join(project, 'node_modules/@rsvp/core/dist'))).toContain('index.d.ts');

    const readme = readFileSync(join(CORE, 'README.md'), 'utf8');
    const example = /<!-- usage:[^>]*-->\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    writeFileSync(join(project, 'example.mjs'), example as string);
    const { stdout } = await run(process.execPath, ['example.mjs'], { cwd: project });
    expect(stdout.trim()).toBe('[["Launch 22",1]]');
  }, 120_000);
});
