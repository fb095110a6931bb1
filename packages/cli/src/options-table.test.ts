import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@rsvp/testkit';
import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT, runCli } from './cli.js';
import { OPTION_ENTRIES, shownDefault } from './config.js';

/** The rows of the README's options table (under "Every option can also be set…"): flag, variable, default. */
function readmeRows(): string[][] {
  const lines = readFileSync(join(repoRoot, 'README.md'), 'utf8').split('\n');
  const header = lines.indexOf('| flag | variable | default | meaning |');
  expect(header, "the README's options table").toBeGreaterThan(0);
  const rows: string[][] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim().replaceAll('\\|', '|'));
    rows.push(cells.slice(0, 3));
  }
  return rows;
}

const code = (text: string) => `\`${text}\``;

describe('the options table', () => {
  it("is the README's: every option, in order, with its flag, variable and default", () => {
    const expected = OPTION_ENTRIES.map(([, spec]) => [
      code(spec.flag),
      code(spec.env),
      spec.default !== undefined ? code(spec.default) : (spec.unset ?? ''),
    ]);
    expect(readmeRows()).toEqual(expected);
  });

  it('is what --help lists: each flag with its help, default and variable', async () => {
    const output: string[] = [];
    const io: CliIo = {
      out: (text) => output.push(text) > 0,
      err: () => {},
      stopRequested: new Promise(() => {}),
      env: {},
    };
    expect(await runCli(['serve', '--help'], io)).toBe(EXIT.ok);
    const help = output.join('').replace(/\s+/g, ' ');
    for (const [, spec] of OPTION_ENTRIES) {
      const shown = shownDefault(spec);
      const described = `${spec.help}${shown === undefined ? '' : ` (default ${shown})`} (env: ${spec.env})`;
      expect(help).toContain(`${spec.flag} ${described.replace(/\s+/g, ' ')}`);
    }
  });
});
