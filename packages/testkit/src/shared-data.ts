import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The recorded RSVPs live beside the repository in `../shared/data` (not committed: too large).
 * `RSVP_SHARED_DIR` points elsewhere. A missing file fails the test that needs it, loudly.
 */
export function sharedDataPath(file: 'meetup.json' | 'meetup-rsvps.ndjson' | 'rsvp-samples-odd.ndjson'): string {
  const dir = process.env.RSVP_SHARED_DIR ?? join(REPO_ROOT, '..', 'shared');
  const path = join(dir, 'data', file);
  if (!existsSync(path)) {
    throw new Error(`recorded data not found at ${path}: put shared/ beside the repository or set RSVP_SHARED_DIR`);
  }
  return path;
}

export const repoRoot = REPO_ROOT;
