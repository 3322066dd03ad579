// Seeded fuzzing of the front end with mutations of the real specs: deleted, duplicated and
// swapped pieces, truncation, random bytes, very deep nesting and a one-megabyte line. Every
// case must return (never throw), every diagnostic span must lie inside the text, the front-end
// checks must not throw on what parses, and the formatter must be idempotent and keep the tree.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnostic, Span } from '../../src/diagnostics/index.js';
import { frontendState, memoryHost, namesPhase, parsePhase, runPhases } from '../../src/driver/index.js';
import { formatSpec } from '../../src/format/index.js';
import { parse } from '../../src/syntax/index.js';
import { withoutSpans } from '../format/ast-equal.js';

const root = join(import.meta.dirname, '..', '..');
const bases = [
  ...readdirSync(join(root, 'specs')).filter((name) => name.endsWith('.tier')).map((name) => readFileSync(join(root, 'specs', name), 'utf8')),
  ...readdirSync(join(root, 'test/errors')).filter((name) => name.endsWith('.tier')).map((name) => readFileSync(join(root, 'test/errors', name), 'utf8')),
];

/** mulberry32: a small seeded generator, so a failing case can be replayed from its number. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const noise = ['{', '}', '(', ')', '[', ']', '"', '\\', ':', ',', '.', ' . ', '..', '->', '|', '-', '*', '/', '\n', '\t', '\r', '\u0000', 'é', '😀', '中', '\u00a0', '/*', '*/', '//', 'model', 'let', 'loss', 'eval', '1e999', '0x', '"\\q"'];

type Mutation = (text: string, random: () => number) => string;

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;
const position = (text: string, random: () => number) => Math.floor(random() * (text.length + 1));

const mutations: Record<string, Mutation> = {
  delete: (text, random) => {
    const start = position(text, random);
    return text.slice(0, start) + text.slice(start + 1 + Math.floor(random() * 40));
  },
  duplicate: (text, random) => {
    const start = position(text, random);
    const piece = text.slice(start, start + 1 + Math.floor(random() * 80));
    const at = position(text, random);
    return text.slice(0, at) + piece + text.slice(at);
  },
  swap: (text, random) => {
    const words = text.split(/(\s+)/);
    const a = Math.floor(random() * words.length);
    const b = Math.floor(random() * words.length);
    [words[a], words[b]] = [words[b]!, words[a]!];
    return words.join('');
  },
  truncate: (text, random) => text.slice(0, position(text, random)),
  bytes: (text, random) => {
    let result = text;
    const count = 1 + Math.floor(random() * 4);
    for (let i = 0; i < count; i++) {
      const at = position(result, random);
      const piece = random() < 0.5 ? pick(noise, random) : String.fromCharCode(Math.floor(random() * 0x3000));
      result = result.slice(0, at) + piece + result.slice(at);
    }
    return result;
  },
  nesting: (text, random) => {
    const depth = pick([10, 63, 64, 65, 200, 5000], random);
    const closers: Record<string, string> = { '(': ')', '[': ']', '{': '}', '-': '' };
    const open = pick(Object.keys(closers), random);
    const close = closers[open]!;
    return `${text}\nmodel deep {\n  let x = ${open.repeat(depth)}1${close.repeat(depth)}\n}\n`;
  },
};

function assertSpanInside(span: Span | undefined, text: string, label: string): void {
  if (span === undefined) return;
  expect(span.start.offset, label).toBeGreaterThanOrEqual(0);
  expect(span.start.offset, label).toBeLessThanOrEqual(span.end.offset);
  expect(span.end.offset, label).toBeLessThanOrEqual(text.length);
  expect(span.start.line, label).toBeGreaterThanOrEqual(1);
  expect(span.start.column, label).toBeGreaterThanOrEqual(1);
}

function assertDiagnostics(diagnostics: Diagnostic[], text: string, label: string): void {
  for (const diagnostic of diagnostics) {
    expect(diagnostic.code, label).toMatch(/^TIER\d{4}$/);
    expect(diagnostic.message.length, label).toBeGreaterThan(0);
    assertSpanInside(diagnostic.span, text, label);
    for (const related of diagnostic.related ?? []) assertSpanInside(related.span, text, label);
  }
}

/** Runs one case; returns whether it parsed without errors (and so was formatted). */
function runCase(text: string, label: string): boolean {
  const { ast, diagnostics } = parse(text, 'fuzz.tier');
  assertDiagnostics(diagnostics, text, label);
  if (diagnostics.some((diagnostic) => diagnostic.severity === 'error')) return false;

  const state = frontendState('/fuzz/fuzz.tier', memoryHost({ '/fuzz/fuzz.tier': text }, '/fuzz'));
  const checked = runPhases(state, [parsePhase, namesPhase]);
  assertDiagnostics(
    checked.diagnostics.filter((diagnostic) => diagnostic.span?.file === 'fuzz.tier'),
    text,
    label,
  );

  const once = formatSpec(text, 'fuzz.tier').formatted;
  expect(once, label).toBeDefined();
  expect(formatSpec(once!, 'fuzz.tier').formatted, label).toBe(once);
  expect(withoutSpans(parse(once!, 'fuzz.tier').ast), label).toEqual(withoutSpans(ast));
  return true;
}

describe('front-end fuzzing', () => {
  it('survives 3000 seeded mutations of the specs', () => {
    const names = Object.keys(mutations);
    let clean = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const random = generator(seed);
      let text = pick(bases, random);
      const rounds = 1 + Math.floor(random() * 3);
      const applied: string[] = [];
      for (let round = 0; round < rounds; round++) {
        const name = pick(names, random);
        applied.push(name);
        text = mutations[name]!(text, random);
      }
      if (runCase(text, `seed ${seed} (${applied.join(', ')})`)) clean++;
    }
    // About one case in six stays valid; those exercise the checks and the formatter.
    expect(clean).toBeGreaterThan(100);
  });

  it('handles a one-megabyte line inside a real spec', () => {
    const base = bases[0]!;
    const line = `// ${'x'.repeat(1_000_000)}\nmodel wide {\n  let a = [${Array.from({ length: 20_000 }, () => '"abcdefghijklmnopqrstuvwxyz0123456789abcdefgh"').join(', ')}]\n}\n`;
    expect(line.length).toBeGreaterThan(1_000_000);
    expect(runCase(base + line, 'one-megabyte line')).toBe(true);
  });

  it('handles nesting far past the limit', () => {
    for (const open of ['(', '[', '{', '-']) {
      const text = `model m {\n  let x = ${open.repeat(50_000)}\n}\n`;
      const { diagnostics } = parse(text, 'deep.tier');
      expect(diagnostics.some((diagnostic) => diagnostic.code === 'TIER1008'), open).toBe(true);
      assertDiagnostics(diagnostics, text, open);
    }
  });
});
