// Golden IR listings: one printed module per model of every spec in specs/, under
// test/golden/ir/<spec>.ir.txt. Regenerate with UPDATE_GOLDEN=1 and review the diff.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/compile.js';
import { nodeHost } from '../../src/driver/index.js';
import { printModule, verifyModule } from '../../src/ir/index.js';

const root = resolve(import.meta.dirname, '../..');
const specs = readdirSync(join(root, 'specs')).filter((name) => name.endsWith('.tier')).sort();
const goldenFolder = join(import.meta.dirname, 'ir');

describe('golden IR of the specs', () => {
  it('finds the specs', () => {
    expect(specs).toContain('tier_cxr.tier');
  });

  for (const spec of specs) {
    it(`${spec} prints as its golden listing`, () => {
      const result = check({ entry: join('specs', spec), host: nodeHost(root), cwd: root });
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.models.length).toBeGreaterThan(0);
      for (const model of result.models) expect(verifyModule(model.module)).toEqual([]);
      const text = result.models.map((model) => printModule(model.module)).join('\n');
      const file = join(goldenFolder, spec.replace(/\.tier$/, '.ir.txt'));
      if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(file)) {
        mkdirSync(goldenFolder, { recursive: true });
        writeFileSync(file, text);
      }
      expect(text).toBe(readFileSync(file, 'utf8'));
    });
  }
});
