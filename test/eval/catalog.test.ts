import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evalCatalog } from '../../src/diagnostics/catalog/eval.js';

/** Lists the source files of the evaluation layer, the report and their commands. */
function sources(): string[] {
  const files: string[] = ['src/cli/commands/eval.ts', 'src/cli/commands/report.ts'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.push(full);
    }
  };
  walk('src/eval');
  walk('src/report');
  return files;
}

describe('evaluation codes', () => {
  it('are all in the TIER7xxx range and unique', () => {
    const codes = evalCatalog.map((entry) => entry.code);
    for (const code of codes) expect(code).toMatch(/^TIER7\d{3}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('are defined for every code the sources raise', () => {
    const defined = new Set(evalCatalog.map((entry) => entry.code));
    for (const file of sources()) {
      for (const match of readFileSync(file, 'utf8').matchAll(/'(TIER7\d{3})'/g)) {
        expect(defined.has(match[1] as string), `${file} uses ${match[1]}`).toBe(true);
      }
    }
  });
});
