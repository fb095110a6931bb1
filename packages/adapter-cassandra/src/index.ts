export { CassandraCountStore, createCassandraCountStore } from './cassandra-count-store.js';
export { type CassandraOptions, checkCassandraOptions, replicationCql } from './cassandra-options.js';
export { schemaStatements } from './cassandra-schema.js';
