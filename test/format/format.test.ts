import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import type { CliIo } from '../../src/cli/io.js';
import { formatSpec } from '../../src/format/index.js';
import * as plugin from '../../src/format/prettier-plugin.js';
import { parse } from '../../src/syntax/index.js';
import { commentTexts, withoutSpans } from './ast-equal.js';

const root = join(import.meta.dirname, '..', '..');
const specFiles = [
  ...readdirSync(join(root, 'specs')).filter((name) => name.endsWith('.tier')).map((name) => join(root, 'specs', name)),
  ...readdirSync(join(root, 'test/errors')).filter((name) => name.startsWith('names_') || name.startsWith('literal_')).map((name) => join(root, 'test/errors', name)),
];

function format(text: string): string {
  const result = formatSpec(text, 'x.tier');
  if (result.formatted === undefined) throw new Error(result.diagnostics.map((diagnostic) => diagnostic.message).join('\n'));
  return result.formatted;
}

describe('formatter on real specs', () => {
  for (const file of specFiles) {
    const name = file.slice(root.length + 1);
    it(`${name} formats idempotently and keeps its meaning`, () => {
      const text = readFileSync(file, 'utf8');
      const once = format(text);
      expect(format(once)).toBe(once);
      const before = parse(text, 'x.tier').ast;
      const after = parse(once, 'x.tier').ast;
      expect(withoutSpans(after)).toEqual(withoutSpans(before));
      expect(commentTexts(after)).toEqual(commentTexts(before));
    });
  }

  it('leaves the committed specs unchanged', () => {
    for (const name of readdirSync(join(root, 'specs')).filter((entry) => entry.endsWith('.tier'))) {
      const text = readFileSync(join(root, 'specs', name), 'utf8');
      expect(format(text), name).toBe(text);
    }
  });
});

describe('canonical layout', () => {
  it('normalizes spacing and aligns = in a run of members', () => {
    const text = 'model   m{\nlet a=f( x ,y )\nlet longer=a.b\n\nloss l=2*a . b\n}\ntrain{batch:32}';
    expect(format(text)).toBe(
      [
        'model m {',
        '  let a      = f(x, y)',
        '  let longer = a.b',
        '',
        '  loss l = 2 * a . b',
        '}',
        '',
        'train {',
        '  batch: 32',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('prints parentheses only where precedence needs them', () => {
    const text = 'model m {\n  let a = ((x + y)) * (z)\n  let b = x - (y - z)\n  let c = (-x).y\n  let d = (a | b) | c\n}\n';
    expect(format(text)).toBe(
      'model m {\n  let a = (x + y) * z\n  let b = x - (y - z)\n  let c = (-x).y\n  let d = a | b | c\n}\n',
    );
  });

  it('breaks long calls one argument per line', () => {
    const args = Array.from({ length: 12 }, (_, index) => `option_${index}: ${index}`).join(', ');
    const output = format(`model m {\n  image encoder = vit(${args})\n}\n`);
    expect(output.split('\n')[1]).toBe('  image encoder = vit(');
    expect(output.split('\n')[2]).toBe('    option_0: 0,');
    expect(output.split('\n').every((line) => line.length <= 100)).toBe(true);
  });

  it('breaks long setting values only after commas', () => {
    const phrases = Array.from({ length: 10 }, (_, index) => `label "Finding number ${index}"`).join(', ');
    const output = format(`eval e {\n  heatmaps: ${phrases}\n}\n`);
    const lines = output.split('\n');
    expect(lines.length).toBeGreaterThan(4);
    for (const line of lines.slice(2, -3)) expect(line).toMatch(/^ {4}label "Finding number \d"/);
  });

  it('keeps axes on several lines when written that way', () => {
    expect(format('model m {\n  axes {\n    batch\n    token <= 8\n  }\n}\n')).toBe('model m {\n  axes {\n    batch\n    token <= 8\n  }\n}\n');
    expect(format('model m {\n  axes { batch; token <= 8 }\n}\n')).toBe('model m {\n  axes { batch; token <= 8 }\n}\n');
  });

  it('keeps every comment next to its code', () => {
    const text = [
      '// header',
      '',
      'model m { // after the brace',
      '  // before a',
      '  let a = f(x, // after x',
      '            y)',
      '  /* block */ let b = 1',
      '  // last',
      '}',
      'model e {',
      '  // only a comment',
      '}',
      '// end',
      '',
    ].join('\n');
    expect(format(text)).toBe(
      [
        '// header',
        '',
        'model m {  // after the brace',
        '  // before a',
        '  let a = f(x, y)  // after x',
        '  /* block */ let b = 1',
        '  // last',
        '}',
        '',
        'model e {',
        '  // only a comment',
        '}',
        '// end',
        '',
      ].join('\n'),
    );
  });

  it('aligns trailing comments of consecutive statements', () => {
    const text = 'data d {\n  manifest: "a.csv" // one\n  image: column "path", root "x" // two\n  text: column "r"\n  split: column "s" // three\n}\n';
    expect(format(text)).toBe(
      [
        'data d {',
        `  manifest: "a.csv"${' '.repeat(15)}// one`,
        '  image: column "path", root "x"  // two',
        '  text: column "r"',
        '  split: column "s"  // three',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('keeps a comment inside empty braces there', () => {
    const once = format('eval e {\n  zeroshot {\n    labels { // none yet\n    }\n  }\n}\n');
    expect(once).toBe('eval e {\n  zeroshot {\n    labels {\n      // none yet\n    }\n  }\n}\n');
    expect(format(once)).toBe(once);
  });

  it('prints an unknown block kind as written', () => {
    const text = 'trian {  odd   spacing ( kept }\n';
    expect(format(text)).toBe(text);
  });

  it('refuses input with syntax errors', () => {
    const result = formatSpec('model m {\n  let = 1\n}\n');
    expect(result.formatted).toBeUndefined();
    expect(result.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['TIER1002']);
  });
});

describe('prettier plugin', () => {
  it('formats like tierc fmt', async () => {
    const text = readFileSync(join(root, 'specs/phantom_small.tier'), 'utf8');
    const messy = text.replace(/\n {2}/g, '\n      ').replace(/ = /g, '   =   ');
    const output = await prettier.format(messy, { parser: 'tier', plugins: [plugin] });
    expect(output).toBe(text);
  });

  it('reports syntax errors with a position', async () => {
    await expect(prettier.format('model m {\n  let = 1\n}\n', { parser: 'tier', plugins: [plugin] })).rejects.toMatchObject({
      loc: { start: { line: 2, column: 7 } },
    });
  });
});

describe('tierc fmt', () => {
  const folder = mkdtempSync(join(tmpdir(), 'tierc-fmt-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  function io(): CliIo & { out: string; err: string } {
    const captured = {
      out: '',
      err: '',
      cwd: folder,
      env: {},
      isTTY: false,
      stdout: (text: string) => void (captured.out += text),
      stderr: (text: string) => void (captured.err += text),
    };
    return captured;
  }

  it('--check lists files that would change and exits 1', async () => {
    writeFileSync(join(folder, 'clean.tier'), 'model m {\n  let a = 1\n}\n');
    writeFileSync(join(folder, 'messy.tier'), 'model m {let a=1}');
    const output = io();
    expect(await run(['fmt', '--check', 'clean.tier', 'messy.tier'], output)).toBe(1);
    expect(output.out).toBe('messy.tier\n');
    expect(readFileSync(join(folder, 'messy.tier'), 'utf8')).toBe('model m {let a=1}');
  });

  it('--write rewrites files and --check then passes', async () => {
    writeFileSync(join(folder, 'messy.tier'), 'model m {let a=1}');
    expect(await run(['fmt', '--write', 'messy.tier'], io())).toBe(0);
    expect(readFileSync(join(folder, 'messy.tier'), 'utf8')).toBe('model m {\n  let a = 1\n}\n');
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await run(['fmt', '--check', 'messy.tier'], io())).toBe(0);
  });

  it('prints to stdout by default', async () => {
    writeFileSync(join(folder, 'messy.tier'), 'model m {let a=1}');
    const output = io();
    expect(await run(['fmt', 'messy.tier'], output)).toBe(0);
    expect(output.out).toBe('model m {\n  let a = 1\n}\n');
  });

  it('exits 1 on syntax errors and 2 on usage errors', async () => {
    writeFileSync(join(folder, 'broken.tier'), 'model m {\n  let = 1\n}\n');
    const output = io();
    expect(await run(['fmt', '--check', 'broken.tier'], output)).toBe(1);
    expect(output.err).toContain('broken.tier:2:7: error TIER1002');
    expect(await run(['fmt', '--check', '--write', 'broken.tier'], io())).toBe(2);
  });
});
