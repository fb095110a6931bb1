export { type CliIo, EXIT, runCli } from './cli.js';
export { type Config, ConfigError, OPTION_HELP, readConfig } from './config.js';
export { createContainer, memoryModule, pipelineModule, resolve, runtimeModule } from './container.js';
export { type RunningRole, startAll, startProcess, startProduce } from './roles.js';
export { APP } from './tokens.js';
