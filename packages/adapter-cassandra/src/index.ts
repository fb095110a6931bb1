export {
  CassandraCountStore,
  type CassandraCountStoreOptions,
  createCassandraCountStore,
} from './cassandra-count-store.js';
export {
  type CassandraOptions,
  CONSISTENCY_LEVELS,
  type ConsistencyName,
  checkCassandraOptions,
  replicationCql,
  SERIAL_CONSISTENCY_LEVELS,
  type SerialConsistencyName,
} from './cassandra-options.js';
export { schemaStatements } from './cassandra-schema.js';
