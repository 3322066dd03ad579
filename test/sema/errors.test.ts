// Error cases of the semantic checker, in the format of test/errors: each .tier file under
// errors/ marks the line a diagnostic belongs on with `// expect: CODE [message part]`. The file
// must produce exactly the expected errors, no others.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/compile.js';
import { resolveCatalog } from '../../src/diagnostics/catalog/resolve.js';
import { shapesCatalog } from '../../src/diagnostics/catalog/shapes.js';

const folder = join(import.meta.dirname, 'errors');
const files = readdirSync(folder).filter((name) => name.endsWith('.tier')).sort();

interface Expectation {
  code: string;
  line: number;
  fragment: string | undefined;
}

function expectationsOf(text: string): Expectation[] {
  const found: Expectation[] = [];
  text.split('\n').forEach((line, index) => {
    const match = /\/\/ expect: (TIER\d{4})(?: (.*))?$/.exec(line);
    if (match !== null) found.push({ code: match[1]!, line: index + 1, fragment: match[2]?.trim() || undefined });
  });
  return found;
}

const allExpectations = files.flatMap((name) => expectationsOf(readFileSync(join(folder, name), 'utf8')));

describe('semantic error cases', () => {
  for (const name of files) {
    it(name.replace(/\.tier$/, '').replaceAll('_', ' '), () => {
      const text = readFileSync(join(folder, name), 'utf8');
      const path = `/errors/${name}`;
      const result = check({ entry: path, files: { [path]: text }, cwd: '/errors' });
      const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
      const expected = expectationsOf(text);
      expect(expected.length).toBeGreaterThan(0);
      expect(errors.map((d) => `${d.code}@${d.span?.start.line}`).sort()).toEqual(expected.map((e) => `${e.code}@${e.line}`).sort());
      for (const expectation of expected) {
        const diagnostic = errors.find((d) => d.code === expectation.code && d.span?.start.line === expectation.line)!;
        if (expectation.fragment !== undefined) expect(diagnostic.message).toContain(expectation.fragment);
        expect(diagnostic.span?.file).toBe(name);
      }
    });
  }

  it('covers every active code of the checker', () => {
    const covered = new Set(allExpectations.map((expectation) => expectation.code));
    const codes = [...resolveCatalog, ...shapesCatalog].filter((entry) => entry.retired !== true).map((entry) => entry.code);
    expect(codes.filter((code) => !covered.has(code))).toEqual([]);
  });
});
