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

/** Lists the opening brackets of `text` outside comments and strings. */
function openingBrackets(text: string): Array<{ offset: number; line: number }> {
  return tierLexer
    .tokenize(text)
    .tokens.filter((token) => token.image === '{' || token.image === '(' || token.image === '[')
    .map((token) => ({ offset: token.startOffset, line: token.startLine! }));
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

  it('unindented specs report each deletion', () => {
    // Without indentation only the brackets and the declaration keywords in column 1 show where
    // a block ends, so the first error must lie within the declaration that lost the bracket.
    const declarationStart = /^(import|model|block|data|preprocess|train|eval|export)\b(?!\s*[:.=])/;
    for (const [path, indented] of Object.entries(files)) {
      const text = indented.replace(/^[ \t]+/gm, '');
      const lines = text.split('\n');
      const folder = path.slice(0, path.lastIndexOf('/'));
      for (const deletion of closingBrackets(text)) {
        const label = `${path}: '${deletion.text}' of line ${deletion.line}`;
        const next = lines.findIndex((line, index) => index >= deletion.line && declarationStart.test(line));
        const declarationEnd = next === -1 ? lines.length : next;
        const broken = text.slice(0, deletion.offset) + text.slice(deletion.offset + 1);
        const result = checkSpec(path, memoryHost({ ...files, [path]: broken }, folder));
        const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
        expect(errors.length, label).toBeGreaterThanOrEqual(1);
        expect(errors.length, `${label}: ${errors.map((error) => error.message).join(' | ')}`).toBeLessThanOrEqual(3);
        expect(errors[0]!.span!.start.line, `${label}: ${errors[0]!.message}`).toBeGreaterThanOrEqual(deletion.openingLine);
        expect(errors[0]!.span!.start.line, `${label}: ${errors[0]!.message}`).toBeLessThanOrEqual(declarationEnd);
      }
    }
  });

  it('each deleted opening bracket is reported', () => {
    for (const [path, text] of Object.entries(files)) {
      const folder = path.slice(0, path.lastIndexOf('/'));
      for (const deletion of openingBrackets(text)) {
        const broken = text.slice(0, deletion.offset) + text.slice(deletion.offset + 1);
        const result = checkSpec(path, memoryHost({ ...files, [path]: broken }, folder));
        const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
        expect(errors.length, `${path}: opening bracket of line ${deletion.line}`).toBeGreaterThanOrEqual(1);
      }
    }
  });
});
