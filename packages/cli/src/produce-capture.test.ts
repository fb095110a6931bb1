import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@rsvp/testkit';
import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT, runCli } from './cli.js';

const run = promisify(execFile);

function io(): CliIo & { output: string[] } {
  const output: string[] = [];
  return { output, out: (text) => output.push(text) > 0, err: () => {}, stopRequested: new Promise(() => {}), env: {} };
}

describe('capturing NDJSON from rsvp produce', () => {
  it("runs the README's capture command: only the messages in the file (no pnpm banner), every line replayed", async () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const documented = /^npx -y pnpm@10 --silent rsvp produce --count (\d+) > (\S+)$/m.exec(readme);
    expect(documented, 'the README documents the capture command').not.toBeNull();
    const count = Number(documented?.[1]);
    const file = join(mkdtempSync(join(tmpdir(), 'rsvp-capture-')), 'rsvps.ndjson');
    const command = (documented?.[0] ?? '').replace(/ > \S+$/, '');
    const startedAt = Date.now();
    await run('sh', ['-c', `${command} > '${file}'`], { cwd: repoRoot, maxBuffer: 1 << 20 });
    // Not paced at the endless simulator's 200/s (which would take count / 200 seconds).
    expect(Date.now() - startedAt).toBeLessThan((count / 200) * 1000);

    // Only the simulator's messages (a few of them broken on purpose, as the recorded stream's): no banner.
    const lines = readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
    expect(lines).toHaveLength(count);
    expect(lines.filter((line) => !line.startsWith('{'))).toEqual([]);

    const replay = io();
    expect(await runCli(['process', '--replay', file, '--log-level', 'silent'], replay)).toBe(EXIT.ok);
    const { tallies } = JSON.parse(replay.output.join('')) as { tallies: { received: number } };
    expect(tallies.received).toBe(count);
  }, 90_000);

  it('produces --count messages without --rate flat out, not at 200/s', async () => {
    const out = io();
    const startedAt = Date.now();
    expect(await runCli(['produce', '--count', '5000', '--log-level', 'silent'], out)).toBe(EXIT.ok);
    expect(Date.now() - startedAt).toBeLessThan(5000); // 25 s at 200/s
    expect(out.output.join('').trimEnd().split('\n')).toHaveLength(5000);
  });
});
