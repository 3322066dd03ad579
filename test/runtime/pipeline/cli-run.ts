// Helpers for tests that run tierc commands in a temporary folder under test/.tmp.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../src/cli/run.js';
import { captureIo } from '../../cli/capture.js';

/** Creates a fresh folder under test/.tmp whose name starts with `name`. */
export function tempDir(name: string): string {
  mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
  return mkdtempSync(join(process.cwd(), 'test', '.tmp', `${name}-`));
}

/** Runs `tierc ARGV` in `cwd` and returns its exit code and output. */
export async function tierc(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo(cwd);
  const code = await run(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}
