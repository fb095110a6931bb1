import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { repoRoot } from '@rsvp/testkit';
import { describe, expect, it } from 'vitest';

/** A loopback port nothing listens on (taken, then let go). */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('rsvp process with Kafka unreachable', () => {
  it('logs one line per retry (broker, attempt, next try), then one final error, and exits 1', async () => {
    const broker = `127.0.0.1:${await closedPort()}`;
    const child = spawn(
      process.execPath,
      [
        ...['--import', 'tsx', '--conditions=@rsvp/source', 'packages/cli/src/main.ts'],
        ...['process', '--source', 'kafka', '--kafka-brokers', broker, '--kafka-retries', '3'],
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code, stderr).toBe(1);
    expect(stderr).not.toMatch(/\n\s+at |"stack"/);
    const lines = stderr
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string; kafka?: { retry?: unknown } });
    const retries = lines.filter((line) => line.kafka?.retry !== undefined);
    expect(retries.map((line) => line.msg)).toEqual([
      expect.stringMatching(
        new RegExp(`ECONNREFUSED ${broker} \\(broker ${broker}; attempt 1 of 4; next try in \\d+\\.\\d s\\)$`),
      ),
      expect.stringMatching(/; attempt 2 of 4; next try in \d+\.\d s\)$/),
      expect.stringMatching(/; attempt 3 of 4; next try in \d+\.\d s\)$/),
      expect.stringMatching(/; attempt 4 of 4; no tries left\)$/),
    ]);
    expect(retries.every((line) => line.level === 40)).toBe(true);
    expect(lines.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([
      `could not start: Kafka: Connection error: connect ECONNREFUSED ${broker} (is --kafka-brokers right, and is it up?)`,
    ]);
    expect(lines).toHaveLength(retries.length + 1);
  }, 60_000);
});
