// File-system mistakes in output paths are input errors with a one-line message, not crashes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { captureIo } from './capture.js';

const folder = mkdtempSync(join(tmpdir(), 'tierc-cli-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('output path that is a file', () => {
  const file = join(folder, 'plain-file');
  writeFileSync(file, 'not a folder\n');

  it('phantom output exits 1 with the path', async () => {
    const io = captureIo(folder);
    const code = await run(['data', 'phantom', '--n', '2', '--size', '32', '-o', file], io);
    const message = io.err.join('');
    expect(code).toBe(1);
    expect(message).toContain(`'${file}'`);
    expect(message).toContain('not a folder');
    expect(message).not.toContain('internal error');
    expect(message).not.toMatch(/\n\s+at /);
  });
});
