import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repoRoot } from '@rsvp/testkit';
import { afterEach, describe, expect, it } from 'vitest';

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
});

const total = async (url: string) =>
  ((await (await fetch(`${url}/api/data`)).json()) as { count: number }[]).reduce((sum, row) => sum + row.count, 0);

describe('the embedded quick start (rsvp all, as `pnpm start` runs it)', () => {
  it('serves growing counts, then stops cleanly on SIGTERM with status 0', async () => {
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@rsvp/source',
        'packages/cli/src/main.ts',
        'all',
        '--port',
        '0',
        '--rate',
        '500',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
    let url: string | undefined;
    for await (const line of lines) {
      url = (JSON.parse(line) as { url?: string }).url;
      if (url) break;
    }
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    let first = 0;
    for (let i = 0; i < 100 && first === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      first = await total(url as string);
    }
    let later = first;
    for (let i = 0; i < 100 && later <= first; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      later = await total(url as string);
    }
    expect(first).toBeGreaterThan(0);
    expect(later).toBeGreaterThan(first);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  }, 60_000);

  it("replays the recorded sample as the README's Quick start says, from the repository alone", async () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const documented = /`npx -y pnpm@10 start --replay (\S+) --port \d+`/.exec(readme);
    expect(documented, 'the Quick start documents a replay').not.toBeNull();
    const file = documented?.[1] ?? '';
    expect(file.startsWith('data/'), file).toBe(true);
    child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--conditions=@rsvp/source',
        'packages/cli/src/main.ts',
        'all',
        '--replay',
        file,
        '--port',
        '0',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const lines = createInterface({ input: child.stderr as NodeJS.ReadableStream });
    let url: string | undefined;
    for await (const line of lines) {
      url = (JSON.parse(line) as { url?: string }).url;
      if (url) break;
    }
    let counted = 0;
    for (let i = 0; i < 100 && counted !== 681; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      counted = await total(url as string);
    }
    expect(counted).toBe(681); // the original sample's RSVPs that count
  }, 60_000);
});
