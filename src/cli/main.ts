#!/usr/bin/env node
// The `tierc` executable: the only place that calls process.exit.
import { processIo } from './io.js';
import { run } from './run.js';

// A reader that stops early (`tierc compile … | head`) closes the pipe. The output is no longer
// wanted, so end quietly instead of failing with a write error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2), processIo());
