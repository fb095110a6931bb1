export { countingOracle, type OracleInput, type OracleResult } from './counting-oracle.js';
export { anyRsvp, invalidMessage, type SmallWorldOptions, smallWorldRsvp } from './rsvp-arbitraries.js';
export { repoRoot, sharedDataPath } from './shared-data.js';
