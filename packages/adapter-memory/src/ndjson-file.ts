import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Whether a path names a gzipped file (`.gz`), which `readNdjsonLines` decompresses as it reads. */
export function isGzipPath(path: string): boolean {
  return path.endsWith('.gz');
}

/**
 * The lines of an NDJSON file as raw bytes, so that invalid UTF-8 reaches the parser (and its dead
 * letter) instead of being replaced on the way. Strips `\r\n` endings; skips nothing else, not even
 * empty lines: every line is accounted for. A file whose name ends in `.gz` is gunzipped on the way.
 */
export async function* readNdjsonLines(path: string): AsyncGenerator<Uint8Array> {
  let carry: Uint8Array | undefined;
  let sawAny = false;
  const file = createReadStream(path);
  const chunks = isGzipPath(path) ? file.pipe(createGunzip()).on('close', () => file.destroy()) : file;
  file.on('error', (error) => {
    if (chunks !== file) chunks.destroy(error);
  });
  for await (const chunk of chunks as AsyncIterable<Uint8Array>) {
    sawAny = true;
    let data = chunk;
    if (carry !== undefined) {
      data = new Uint8Array(carry.length + chunk.length);
      data.set(carry);
      data.set(chunk, carry.length);
    }
    let lineStart = 0;
    for (let i = data.indexOf(NEWLINE); i !== -1; i = data.indexOf(NEWLINE, lineStart)) {
      yield withoutCarriageReturn(data.subarray(lineStart, i));
      lineStart = i + 1;
    }
    carry = data.slice(lineStart);
  }
  // A last line without a newline is still a line; a file ending in a newline has no empty last line.
  if (sawAny && carry !== undefined && carry.length > 0) yield withoutCarriageReturn(carry);
}

function withoutCarriageReturn(line: Uint8Array): Uint8Array {
  return line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.subarray(0, line.length - 1) : line;
}
