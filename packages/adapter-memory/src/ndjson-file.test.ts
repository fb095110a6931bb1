import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readNdjsonLines } from './ndjson-file.js';

async function linesOf(bytes: Uint8Array, name = 'f.ndjson'): Promise<number[][]> {
  const path = join(mkdtempSync(join(tmpdir(), 'ndjson-')), name);
  writeFileSync(path, bytes);
  const lines: number[][] = [];
  for await (const line of readNdjsonLines(path)) lines.push([...line]);
  return lines;
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('readNdjsonLines', () => {
  it('splits on newlines, strips CRLF, keeps empty lines and a last line without a newline', async () => {
    expect(await linesOf(bytes('a\r\n\nbc\nd'))).toEqual([[0x61], [], [0x62, 0x63], [0x64]]);
  });

  it('does not invent an empty line after a final newline', async () => {
    expect(await linesOf(bytes('a\nb\n'))).toEqual([[0x61], [0x62]]);
    expect(await linesOf(new Uint8Array())).toEqual([]);
  });

  it('passes invalid UTF-8 through untouched', async () => {
    expect(await linesOf(new Uint8Array([0xff, 0x0a, 0xc3]))).toEqual([[0xff], [0xc3]]);
  });

  it('joins lines across read chunks', async () => {
    const long = 'x'.repeat(200_000);
    const lines = await linesOf(bytes(`${long}\n${long}`));
    expect(lines.map((l) => l.length)).toEqual([200_000, 200_000]);
  });

  it('gunzips a .ndjson.gz (or .json.gz) file on the way, with the same lines as the plain file', async () => {
    const text = bytes('{"a":1}\r\n\n{"b":"\u00e9"}\nlast');
    const plain = await linesOf(text);
    expect(await linesOf(gzipSync(text), 'f.ndjson.gz')).toEqual(plain);
    expect(await linesOf(gzipSync(text), 'f.json.gz')).toEqual(plain);
    const long = 'y'.repeat(300_000);
    const lines = await linesOf(gzipSync(bytes(`${long}\n${long}\n`)), 'big.ndjson.gz');
    expect(lines.map((l) => l.length)).toEqual([300_000, 300_000]);
  });

  it('fails on a .gz file that is not gzip, rather than replaying its bytes', async () => {
    await expect(linesOf(bytes('{"a":1}\n'), 'f.ndjson.gz')).rejects.toThrow(/header/);
  });
});
