// makeFolder: missing ancestors are created one level at a time, an existing folder is left
// alone, and a file in the way is named in the error instead of Node's EEXIST text.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFolder } from '../../src/driver/folders.js';

const root = mkdtempSync(join(tmpdir(), 'tierc-folders-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('makeFolder', () => {
  it('creates missing ancestors', () => {
    const deep = join(root, 'a', 'b', 'c');
    makeFolder(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    // A second call on the existing folder succeeds.
    makeFolder(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
  });

  it('names a file in the way', () => {
    const file = join(root, 'run.tier');
    writeFileSync(file, 'model m {}\n');
    expect(() => makeFolder(join(file, 'checkpoints'))).toThrow(`'${file}' is a file, not a folder; choose another path or move the file`);
    expect(statSync(file).isFile()).toBe(true);
  });
});
