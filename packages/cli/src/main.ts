#!/usr/bin/env node
import { runCli } from './cli.js';

const stopRequested = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0); // the reader went away, e.g. `rsvp produce | head`
  throw error;
});

const status = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  errIsTTY: process.stderr.isTTY === true,
  outIsTTY: process.stdout.isTTY === true,
  stopRequested,
  env: process.env,
});
process.exitCode = status;
// Open handles (an endless simulator, keep-alive sockets) must not keep a finished process alive.
setTimeout(() => process.exit(status), 2_000).unref();
