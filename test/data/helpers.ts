// Shared helpers for the data tests: temporary folders and fixture paths.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

export const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/data');
export const badRoot = path.join(fixtures, 'bad');
export const badManifest = path.join(badRoot, 'manifest.csv');

/** Creates a temporary folder that is removed after the test file finishes. */
export function tempDir(prefix = 'tierc-data-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
