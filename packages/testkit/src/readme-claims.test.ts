import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './recorded-data.js';

const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
  cwd: repoRoot,
  encoding: 'utf8',
}).split('\0');
const readmes = tracked.filter((file) => file.endsWith('README.md') && !file.startsWith('data/'));

describe('what the READMEs claim', () => {
  it('names only tests and scripts that exist', () => {
    const files = new Set(tracked.map((file) => basename(file)));
    const missing: string[] = [];
    for (const readme of readmes) {
      const text = readFileSync(join(repoRoot, readme), 'utf8');
      for (const [name] of text.matchAll(/[\w.-]+\.(?:integration\.|property\.)?test\.ts/g)) {
        if (!name.includes('*') && !files.has(name)) missing.push(`${readme}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('claims no server it was not tested on: Cassandra 5.0, not ScyllaDB', () => {
    for (const readme of readmes) {
      const text = readFileSync(join(repoRoot, readme), 'utf8');
      expect(text, readme).not.toMatch(/ScyllaDB (works|is supported)|or ScyllaDB/i);
    }
    const cassandra = readFileSync(join(repoRoot, 'packages/adapter-cassandra/README.md'), 'utf8');
    expect(cassandra).toMatch(/Tested on Cassandra 5\.0/);
    expect(readFileSync(join(repoRoot, 'README.md'), 'utf8')).toMatch(/tested on Cassandra 5\.0/);
  });
});
