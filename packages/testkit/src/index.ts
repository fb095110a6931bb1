export { changeFeedContract, type FeedUnderTest } from './change-feed-contract.js';
export { countStoreContract, type StoreUnderTest } from './count-store-contract.js';
export { countingOracle, type OracleInput, type OracleResult } from './counting-oracle.js';
export { readTopic, type TopicMessage } from './kafka-topics.js';
export { malformedMessage } from './malformed-messages.js';
export {
  deadLetterSinkContract,
  eventSourceContract,
  type ReadBackLetter,
  type SinkUnderTest,
  type SourceUnderTest,
} from './port-contracts.js';
export * from './recorded-data.js';
export { anyRsvp, invalidMessage, type SmallWorldOptions, smallWorldRsvp } from './rsvp-arbitraries.js';
export { nextEvent, type ServerSentEvent, serverSentEvents } from './sse.js';
export { waitFor } from './wait-for.js';
