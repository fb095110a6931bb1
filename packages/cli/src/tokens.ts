import type { Pipeline, Token } from '@rsvp/core';
import type { Logger } from 'pino';
import type { Config } from './config.js';

/** The composition root's own keys, beside the ports' (`PORTS` in @rsvp/core). */
export const APP = {
  Config: Symbol.for('@rsvp/cli/Config') as Token<Config>,
  Logger: Symbol.for('@rsvp/cli/Logger') as Token<Logger>,
  Pipeline: Symbol.for('@rsvp/cli/Pipeline') as Token<Pipeline>,
} as const;
