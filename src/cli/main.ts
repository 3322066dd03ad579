#!/usr/bin/env node
// The `tierc` executable: the only place that calls process.exit.
import { processIo } from './io.js';
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), processIo());
