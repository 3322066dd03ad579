import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lexer } from '../../src/syntax/chevrotain.js';
import { cstTypesSource, grammarDiagramsHtml, grammarEbnf } from '../../src/syntax/index.js';
import { TierParser } from '../../src/syntax/parser.js';
import { allTokens, lexerOptions } from '../../src/syntax/tokens.js';

const root = join(import.meta.dirname, '..', '..');
const regenerate = 'Regenerate with `npm run build && node scripts/grammar.mjs` and commit the result.';

describe('generated grammar files', () => {
  it('grammar/tier.ebnf matches the parser', () => {
    expect(readFileSync(join(root, 'grammar/tier.ebnf'), 'utf8'), regenerate).toBe(grammarEbnf());
  });

  it('grammar/diagrams.html matches the parser', () => {
    expect(readFileSync(join(root, 'grammar/diagrams.html'), 'utf8'), regenerate).toBe(grammarDiagramsHtml());
  });

  it('src/syntax/cst.ts matches the parser', () => {
    expect(readFileSync(join(root, 'src/syntax/cst.ts'), 'utf8'), regenerate).toBe(cstTypesSource());
  });

  it('EBNF lists the main rules and the operators', () => {
    const ebnf = grammarEbnf();
    for (const rule of ['specFile', 'modelDecl', 'settingValue', 'phrase', 'expression', 'postfixExpr']) {
      expect(ebnf).toMatch(new RegExp(`^${rule} =`, 'm'));
    }
    expect(ebnf).toContain('expression = unaryExpr { BinaryOperator unaryExpr } ;');
    expect(ebnf).toContain("BinaryOperator = '|' | '->' | '..' | '+' | '-' | '*' | '/' | Contract ;");
  });
});

describe('grammar checks skipped at start-up', () => {
  it('token definitions pass the lexer checks', () => {
    const lexer = new Lexer(allTokens, lexerOptions);
    expect(lexer.lexerDefinitionErrors).toEqual([]);
  });

  it('rules pass the parser checks', () => {
    // Chevrotain throws from the constructor when a check fails.
    expect(new TierParser(true).definitionErrors).toEqual([]);
  });
});
