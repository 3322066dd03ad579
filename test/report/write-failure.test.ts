// writeAtomically names why a report file cannot be written: a missing folder by its path,
// other causes in words with their error code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAtomically, writeFailure } from '../../src/report/files.js';

const root = mkdtempSync(join(tmpdir(), 'tierc-write-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('report file writes', () => {
  it('names a missing folder', () => {
    const file = join(root, 'missing', 'report.html');
    expect(() => writeAtomically(file, '<html></html>')).toThrow(`its folder '${join(root, 'missing')}' does not exist (ENOENT); create it or choose another path`);
  });

  it('words a full disk', () => {
    const error = Object.assign(new Error('write failed'), { code: 'ENOSPC' });
    expect(writeFailure('/x/report.html', error)).toBe('The file cannot be written: no space left on the device (ENOSPC).');
  });
});
