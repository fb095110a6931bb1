import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT, runCli } from './cli.js';

function io(env: NodeJS.ProcessEnv = {}): CliIo & { output: string[]; errors: string[] } {
  const output: string[] = [];
  const errors: string[] = [];
  return {
    output,
    errors,
    out: (text) => output.push(text) > 0,
    err: (text) => void errors.push(text),
    stopRequested: new Promise(() => {}),
    env,
  };
}

describe('the rsvp command', () => {
  it('lists the roles and every option with its environment variable', async () => {
    const help = io();
    expect(await runCli(['all', '--help'], help)).toBe(EXIT.ok);
    const text = help.output.join('');
    for (const flag of ['--replay', '--rate', '--port', '--host', '--windows', 'RSVP_PORT'])
      expect(text).toContain(flag);
  });

  it('exits 2 with a message for an unknown role, option or bad value', async () => {
    const bad = io();
    expect(await runCli(['everything'], bad)).toBe(EXIT.usage);
    expect(await runCli(['all', '--colour'], bad)).toBe(EXIT.usage);
    expect(await runCli(['all', '--port', 'x'], bad)).toBe(EXIT.usage);
    expect(bad.errors.join('')).toContain('--port must be a whole number');
  });

  it('reads options from the environment too', async () => {
    const env = io({ RSVP_PORT: '70000' });
    expect(await runCli(['all'], env)).toBe(EXIT.usage);
    expect(env.errors.join('')).toContain('got "70000"');
  });

  it('processes a bounded simulation and prints where every record went', async () => {
    const run = io();
    expect(await runCli(['process', '--count', '300', '--rate', '1000000', '--log-level', 'silent'], run)).toBe(
      EXIT.ok,
    );
    const summary = JSON.parse(run.output.join(''));
    expect(summary.tallies.received).toBe(300);
    expect(summary.topVenues.length).toBeGreaterThan(0);
  });

  it('produces NDJSON that parses as RSVPs', async () => {
    const run = io();
    expect(await runCli(['produce', '--count', '50', '--rate', '1000000', '--log-level', 'silent'], run)).toBe(EXIT.ok);
    const lines = run.output.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(50);
  });

  it('refuses to serve a memory store nobody else can write, with exit 2', async () => {
    const run = io();
    expect(await runCli(['serve', '--log-level', 'silent'], run)).toBe(EXIT.usage);
    expect(run.errors.join('')).toContain('rsvp all');
  });
});
