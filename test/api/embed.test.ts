// The embedding example runs against the built package and prints the parameter table.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

describe('examples/embed', () => {
  it('prints parameter counts of the specs', () => {
    const result = spawnSync(process.execPath, ['examples/embed/check-folder.mjs', 'specs'], { cwd: root, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const row = result.stdout.split('\n').find((line) => line.startsWith('tier_cxr.tier'))!;
    expect(row.split(/\s{2,}/)).toEqual(['tier_cxr.tier', 'tier_cxr', '23,508,032', '108,891,648', '394,113', '132,793,793', '52,253,633']);
  });
});
