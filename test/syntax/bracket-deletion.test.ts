// Deletes each closing bracket of each real spec in turn, one at a time. The front end must
// report the mistake near the bracket: no exception, one to three errors, and the first one an
// unclosed-bracket error on a line from the deleted bracket's opening line to its own line.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec, memoryHost } from '../../src/driver/index.js';
import { tierLexer } from '../../src/syntax/tokens.js';

const root = join(import.meta.dirname, '..', '..');
const folders = ['specs', 'bench/specs'];

/** Every spec, by its path in a memory host whose folders mirror the repository. */
const files: Record<string, string> = {};
for (const folder of folders) {
  for (const name of readdirSync(join(root, folder)).filter((entry) => entry.endsWith('.tier')).sort()) {
    files[`/repo/${folder}/${name}`] = readFileSync(join(root, folder, name), 'utf8');
  }
}

interface Deletion {
  offset: number;
  text: string;
  line: number;
  openingLine: number;
}

/** Lists the closing brackets of `text` outside comments and strings, each with its opening bracket's line. */
function closingBrackets(text: string): Deletion[] {
  const open: number[] = [];
  const found: Deletion[] = [];
  for (const token of tierLexer.tokenize(text).tokens) {
    if (token.image === '{' || token.image === '(' || token.image === '[') open.push(token.startLine!);
    else if (token.image === '}' || token.image === ')' || token.image === ']') {
      found.push({ offset: token.startOffset, text: token.image, line: token.startLine!, openingLine: open.pop()! });
    }
  }
  return found;
}

describe('deleting one closing bracket of a real spec', () => {
  for (const [path, text] of Object.entries(files)) {
    const name = path.slice('/repo/'.length);

    it(`${name} reports each deletion near the bracket`, () => {
      const deletions = closingBrackets(text);
      expect(deletions.length).toBeGreaterThanOrEqual(3);
      const folder = path.slice(0, path.lastIndexOf('/'));
      for (const deletion of deletions) {
        const label = `${name}: '${deletion.text}' of line ${deletion.line} (opened at line ${deletion.openingLine})`;
        const broken = text.slice(0, deletion.offset) + text.slice(deletion.offset + 1);
        const result = checkSpec(path, memoryHost({ ...files, [path]: broken }, folder));
        const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
        expect(errors.length, label).toBeGreaterThanOrEqual(1);
        expect(errors.length, `${label}: ${errors.map((error) => error.message).join(' | ')}`).toBeLessThanOrEqual(3);
        const first = errors[0]!;
        expect(first.code, `${label}: ${first.message}`).toBe('TIER1011');
        expect(first.span?.file, label).toBe(name.slice(name.lastIndexOf('/') + 1));
        expect(first.span!.start.line, `${label}: ${first.message}`).toBeGreaterThanOrEqual(deletion.openingLine);
        expect(first.span!.start.line, `${label}: ${first.message}`).toBeLessThanOrEqual(deletion.line);
      }
    });
  }
});
