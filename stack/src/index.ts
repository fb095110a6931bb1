/**
 * What tests and local tooling import from @rsvp/stack: where the local Kafka and
 * Cassandra listen. Importing this starts nothing; run `pnpm stack:up` first.
 */

export { securedConnectionSettings } from './secured.js';
export {
  CASSANDRA_LOCAL_DATA_CENTER,
  type ConnectionSettings,
  connectionSettings,
  HOST,
  resolveSettings,
  type SecuredConnectionSettings,
  type StackSettings,
} from './settings.js';
export type { ServerName } from './versions.js';
