/** Typed access to stack/versions.json, the one place where server versions are pinned. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { STACK_PACKAGE_DIR } from './settings.js';

export type ServerName = 'kafka' | 'cassandra';

export interface ServerArtifacts {
  /** The server's version; names its cache directory (`<server>-<version>`). */
  readonly version: string;
  /** Maven coordinates `groupId:artifactId:version` resolved with their runtime dependencies. */
  readonly artifacts: readonly string[];
}

export interface PinnedVersions {
  readonly kafka: ServerArtifacts;
  readonly cassandra: ServerArtifacts;
  readonly maven: { readonly dependencyPlugin: string };
}

export const VERSIONS_FILE = path.join(STACK_PACKAGE_DIR, 'versions.json');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function serverArtifacts(raw: unknown, name: ServerName): ServerArtifacts {
  if (!isRecord(raw)) throw new Error(`${VERSIONS_FILE}: "${name}" must be an object`);
  const { version, artifacts } = raw;
  if (typeof version !== 'string' || version === '') {
    throw new Error(`${VERSIONS_FILE}: "${name}.version" must be a non-empty string`);
  }
  if (
    !Array.isArray(artifacts) ||
    artifacts.length === 0 ||
    !artifacts.every((a): a is string => typeof a === 'string' && a.split(':').length === 3)
  ) {
    throw new Error(`${VERSIONS_FILE}: "${name}.artifacts" must list groupId:artifactId:version strings`);
  }
  return { version, artifacts };
}

export function loadVersions(): PinnedVersions {
  const raw: unknown = JSON.parse(readFileSync(VERSIONS_FILE, 'utf8'));
  if (!isRecord(raw) || !isRecord(raw.maven) || typeof raw.maven.dependencyPlugin !== 'string') {
    throw new Error(`${VERSIONS_FILE}: expected { kafka, cassandra, maven: { dependencyPlugin } }`);
  }
  return {
    kafka: serverArtifacts(raw.kafka, 'kafka'),
    cassandra: serverArtifacts(raw.cassandra, 'cassandra'),
    maven: { dependencyPlugin: raw.maven.dependencyPlugin },
  };
}
