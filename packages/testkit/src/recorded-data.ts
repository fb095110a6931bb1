import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The recorded RSVPs committed in `data/` (gzipped; provenance in `data/README.md`). */
export type RecordedFile = 'meetup.json' | 'meetup-rsvps.ndjson' | 'rsvp-samples-odd.ndjson';

/** The directory of the recorded data, inside the repository. */
export const recordedDataDir = join(REPO_ROOT, 'data');

/** The path of a recorded file as committed: `data/<file>.gz`, which `rsvp --replay` reads as it is. */
export function recordedDataPath(file: RecordedFile): string {
  const path = join(recordedDataDir, `${file}.gz`);
  if (!existsSync(path)) throw new Error(`recorded data not found at ${path}: it is part of the repository`);
  return path;
}

/** The text of a recorded file, decompressed. */
export function recordedText(file: RecordedFile): string {
  return gunzipSync(readFileSync(recordedDataPath(file))).toString('utf8');
}

/** The lines of a recorded file (a final newline does not make an empty last line). */
export function recordedLines(file: RecordedFile): string[] {
  return recordedText(file).replace(/\n$/, '').split('\n');
}

export const repoRoot = REPO_ROOT;
