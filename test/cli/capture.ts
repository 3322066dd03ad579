// A CliIo that records stdout and stderr, for running `tierc` in-process in tests.
import type { CliIo } from '../../src/cli/io.js';

export interface CapturedIo extends CliIo {
  out: string[];
  err: string[];
}

export function captureIo(cwd: string): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    cwd,
    env: {},
    isTTY: false,
  };
}
