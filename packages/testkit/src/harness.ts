/**
 * What runs outside vitest too (the bench imports it as `@rsvp/testkit/harness`): the counting oracle, waiting,
 * the recorded data, `rsvp` child processes and the local stack. Nothing here imports vitest.
 */
export { BUILT_CLI, type ChildExit, type SpawnCliOptions, spawnCli, stopChild } from './child-processes.js';
export { countingOracle, type OracleInput, type OracleResult } from './counting-oracle.js';
export { dropKeyspaces, type LocalStack, localStack, stackArgs } from './local-stack.js';
export * from './recorded-data.js';
export { waitFor } from './wait-for.js';
