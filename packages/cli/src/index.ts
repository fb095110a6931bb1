export { type CliIo, EXIT, runCli } from './cli.js';
export {
  type Config,
  ConfigError,
  OPTION_ENTRIES,
  OPTIONS,
  type OptionKey,
  type OptionSpec,
  readConfig,
  SECRET_ENV,
} from './config.js';
export {
  cassandraModule,
  createContainer,
  kafkaModule,
  memoryModule,
  pipelineModule,
  resolve,
  runtimeModule,
} from './container.js';
export { type RunningRole, startAll, startProcess, startProduce, startServe } from './roles.js';
export { APP, defineToken, PORTS, type Token } from './tokens.js';
