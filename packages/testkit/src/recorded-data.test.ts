import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordedDataDir, recordedDataPath, recordedLines, repoRoot } from './recorded-data.js';

describe('the recorded data', () => {
  it('is committed in the repository, gzipped, with the line counts its README states', () => {
    for (const file of ['meetup.json', 'meetup-rsvps.ndjson', 'rsvp-samples-odd.ndjson'] as const) {
      const path = recordedDataPath(file);
      expect(relative(repoRoot, path)).toBe(join('data', `${file}.gz`));
      expect([...readFileSync(path).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    }
    expect(recordedLines('meetup.json')).toHaveLength(1542);
    expect(recordedLines('meetup-rsvps.ndjson')).toHaveLength(5583);
    expect(recordedLines('rsvp-samples-odd.ndjson')).toHaveLength(49);
    expect(readFileSync(join(recordedDataDir, 'README.md'), 'utf8')).toContain('## Provenance');
  });

  it('is the only data the repository reads: no tracked file points outside it, to ../shared', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\0')
      .filter(
        (file) =>
          file !== '' && !file.endsWith('.gz') && file !== 'pnpm-lock.yaml' && !file.endsWith('recorded-data.test.ts'),
      );
    const outside = files.filter((file) => {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      return /\.\.\/shared|'shared'\)?,? *'data'|RSVP_SHARED_DIR/.test(text);
    });
    expect(outside).toEqual([]);
  });
});
