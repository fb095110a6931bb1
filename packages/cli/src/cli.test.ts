import { recordedDataPath } from '@rsvp/testkit';
import { describe, expect, it } from 'vitest';
import { type CliIo, EXIT, runCli } from './cli.js';

function io(
  env: NodeJS.ProcessEnv = {},
  terminal: Pick<CliIo, 'errIsTTY' | 'outIsTTY'> = {},
): CliIo & { output: string[]; errors: string[] } {
  const output: string[] = [];
  const errors: string[] = [];
  return {
    output,
    errors,
    out: (text) => output.push(text) > 0,
    err: (text) => void errors.push(text),
    stopRequested: new Promise(() => {}),
    env,
    ...terminal,
  };
}

const ESC = '\x1b';

/** What a terminal would show: `\r` returns to the start of the line, `ESC[K` clears the rest of it. */
function screen(written: string[]): string[] {
  const lines: string[] = [];
  let line = '';
  for (const text of written
    .join('')
    .replaceAll(`${ESC}[K`, '')
    .replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '') // colours
    .split(/(\r|\n)/)) {
    if (text === '\r') line = '';
    else if (text === '\n') {
      lines.push(line);
      line = '';
    } else line += text;
  }
  return line === '' ? lines : [...lines, line];
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

  it('shows the progress of produce in place on a terminal (stderr), keeps stdout NDJSON, and sums up', async () => {
    const run = io({}, { errIsTTY: true });
    expect(await runCli(['produce', '--count', '600', '--rate', '1000', '--log-level', 'info'], run)).toBe(EXIT.ok);
    const lines = run.output.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(600);
    // Only the messages (the simulator breaks a few on purpose, as the real stream did): no progress there.
    expect(lines.filter((line) => line.includes('\r') || line.includes(ESC) || line.includes(' sent '))).toEqual([]);
    const refreshes = run.errors.filter((text) => text.startsWith('\r\x1b[K') && text.includes(' of 600 sent ('));
    expect(refreshes.length).toBeGreaterThan(0);
    expect(refreshes.every((text) => !text.includes('\n'))).toBe(true);
    // What stays on the screen: the summary, not a half-overwritten progress line.
    expect(screen(run.errors)[0]).toMatch(/INFO.*: produced 600 messages to stdout in [0-9.]+s \([0-9,]+\/s\)$/);
  });

  it('logs plain progress lines where a terminal would get NDJSON on stdout too', async () => {
    const run = io({}, { errIsTTY: true, outIsTTY: true });
    const args = ['produce', '--count', '500', '--rate', '1000', '--progress-interval', '200ms'];
    expect(await runCli(args, run)).toBe(EXIT.ok);
    expect(run.errors.some((text) => text.includes('\r'))).toBe(false);
    expect(screen(run.errors).filter((line) => / of 500 sent \(\d+%\) · ETA /.test(line)).length).toBeGreaterThan(0);
  });

  it('sums up a replay with the lines read and sent', async () => {
    const run = io({}, { errIsTTY: true });
    expect(await runCli(['produce', '--replay', recordedDataPath('meetup.json')], run)).toBe(EXIT.ok);
    expect(run.output.join('').trimEnd().split('\n')).toHaveLength(1542);
    expect(screen(run.errors)[0]).toMatch(/produced 1,542 messages to stdout in .*; 1,542 lines read$/);
  });

  it('exits 2 for a replay file that is not there, before starting anything', async () => {
    for (const role of ['produce', 'process', 'all']) {
      const run = io();
      expect(await runCli([role, '--replay', 'no/such.ndjson', '--port', '0', '--log-level', 'silent'], run)).toBe(
        EXIT.usage,
      );
      expect(run.errors.join('')).toContain(`rsvp ${role}: --replay: cannot read "no/such.ndjson" (ENOENT)`);
    }
  });

  it('exits 2 for a bad --metrics-port, and 1 when it is taken', async () => {
    const bad = io({ RSVP_METRICS_PORT: 'http' });
    expect(await runCli(['process', '--count', '1'], bad)).toBe(EXIT.usage);
    expect(bad.errors.join('')).toContain('--metrics-port must be a whole number');

    const { createServer } = await import('node:net');
    const taken = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => taken.once('listening', resolve));
    const port = String((taken.address() as { port: number }).port);
    const run = io();
    expect(await runCli(['process', '--count', '1', '--metrics-port', port, '--log-level', 'silent'], run)).toBe(
      EXIT.failed,
    );
    taken.close();
  });

  it('refuses to serve a memory store nobody else can write, with exit 2', async () => {
    const run = io();
    expect(await runCli(['serve', '--log-level', 'silent'], run)).toBe(EXIT.usage);
    expect(run.errors.join('')).toContain('rsvp all');
  });

  it("refuses a bad keyspace, broker or CA file with exit 2, by the adapters' own rules, before connecting", async () => {
    const cases: [string[], RegExp][] = [
      [['--store', 'cassandra', '--cassandra-keyspace', 'Bad-Name'], /Cassandra: keyspace "Bad-Name": lower-case/],
      [['--store', 'cassandra', '--cassandra-datacenter', 'dc 1'], /Cassandra: data center "dc 1"/],
      [['--store', 'cassandra', '--cassandra-contact-points', 'a b'], /Cassandra: Cassandra contact point "a b"/],
      [['--source', 'kafka', '--kafka-brokers', 'kafka-without-port'], /Kafka: Kafka broker "kafka-without-port"/],
      [['--source', 'kafka', '--kafka-brokers', 'k:99999'], /Kafka: Kafka broker "k:99999"/],
      [['--source', 'kafka', '--kafka-tls-ca', 'no/such/ca.pem'], /--kafka-tls-ca needs --kafka-tls on/],
      [
        ['--source', 'kafka', '--kafka-tls', 'on', '--kafka-tls-ca', 'no/such/ca.pem'],
        /cannot read "no\/such\/ca.pem"/,
      ],
      [['--store', 'cassandra', '--cassandra-tls', 'on', '--cassandra-tls-ca', 'package.json'], /holds no PEM/],
    ];
    for (const [args, message] of cases) {
      const run = io();
      expect(await runCli(['process', '--count', '0', '--log-level', 'silent', ...args], run), args.join(' ')).toBe(
        EXIT.usage,
      );
      expect(run.errors.join('')).toMatch(message);
    }
  });
});
