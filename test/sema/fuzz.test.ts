// Seeded fuzzing of the checking and lowering phases: small valid specs whose names, numbers,
// arguments and lines are swapped, replaced or dropped, so most mutants still parse and reach
// the semantic checks. Every case must return diagnostics (never throw), each with a catalog
// code and, when it has a span, a span inside the text.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/compile.js';
import { catalogEntry } from '../../src/diagnostics/index.js';

const folder = join(import.meta.dirname, 'errors');
const bases = [
  `model m(words: 0.1) {
  axes { batch; token <= 8; patch = 2 * 2 }
  image encoder = vit(image: 32, patch: 16, width: 8, layers: 1, heads: 2)
  text encoder = bert(layers: 1, width: 8, heads: 2, vocab: 20, max_len: 8, freeze: [embeddings])
  head ip = linear(8 -> 4) | gelu | layernorm(eps: 1e-6)
  head tp = mlp(hidden: 8, out: 4)
  let patches = normalize(ip(image.patches), over: dim)
  let tokens = normalize(tp(text.tokens), over: dim)
  let sim = tokens . patches
  param bias: f32[4] = 0
  loss clip = infonce(normalize(ip(image.cls), over: dim), normalize(tp(text.cls), over: dim), scale: learnable(init: 10))
  loss words = warmup(0 -> words, steps: 10) * mean(entropy(softmax(sim, over: patch, mask: text.padding)), over: [batch, token], mask: text.padding)
}
model other = m(words: 0.2)
`,
  ...readdirSync(folder).filter((name) => name.endsWith('.tier')).map((name) => readFileSync(join(folder, name), 'utf8')),
];

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

const words = ['batch', 'token', 'patch', 'dim', 'width', 'image', 'text', 'sim', 'tokens', 'patches', 'relu', 'linear', 'mean', 'entropy', 'softmax', 'infonce', 'vit', 'bert', 'resnet50', 'ip', 'tp', 'm', 'over', 'mask', 'grid', 'cls', 'true', 'learnable', 'warmup', 'ln'];
const numbers = ['0', '-1', '1', '2.5', '1e9', '65536', '3', '1e-12', '4096'];

type Random = () => number;
const pick = <T>(items: readonly T[], random: Random): T => items[Math.floor(random() * items.length)]!;

/** Replaces the n-th match of `pattern` (chosen at random) with `replacement(match)`. */
function replaceOne(text: string, pattern: RegExp, random: Random, replacement: (match: string) => string): string {
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 0) return text;
  const match = pick(matches, random);
  return text.slice(0, match.index) + replacement(match[0]) + text.slice(match.index! + match[0].length);
}

const mutations: Record<string, (text: string, random: Random) => string> = {
  name: (text, random) => replaceOne(text, /\b[a-z_][a-z0-9_]*\b/g, random, () => pick(words, random)),
  number: (text, random) => replaceOne(text, /\b\d+(\.\d+)?(e-?\d+)?\b/g, random, () => pick(numbers, random)),
  dropArgument: (text, random) => replaceOne(text, /, [a-z_]+: [^,)]+/g, random, () => ''),
  dropLine: (text, random) => {
    const lines = text.split('\n');
    lines.splice(Math.floor(random() * lines.length), 1);
    return lines.join('\n');
  },
  duplicateLine: (text, random) => {
    const lines = text.split('\n');
    const at = Math.floor(random() * lines.length);
    lines.splice(Math.floor(random() * lines.length), 0, lines[at]!);
    return lines.join('\n');
  },
  swapNames: (text, random) => {
    const names = [...text.matchAll(/\b[a-z_][a-z0-9_]*\b/g)];
    if (names.length < 2) return text;
    const a = pick(names, random);
    const b = pick(names, random);
    const [first, second] = a.index! < b.index! ? [a, b] : [b, a];
    if (first.index! + first[0].length > second.index!) return text;
    return text.slice(0, first.index) + second[0] + text.slice(first.index! + first[0].length, second.index) + first[0] + text.slice(second.index! + second[0].length);
  },
};

function checkCase(text: string): void {
  const path = '/fuzz/spec.tier';
  const result = check({ entry: path, files: { [path]: text }, cwd: '/fuzz' });
  for (const diagnostic of result.diagnostics) {
    expect(catalogEntry(diagnostic.code), diagnostic.code).toBeDefined();
    if (diagnostic.span === undefined) continue;
    expect(diagnostic.span.start.offset).toBeGreaterThanOrEqual(0);
    expect(diagnostic.span.end.offset).toBeLessThanOrEqual(text.length);
  }
}

describe('semantic fuzzing', () => {
  const names = Object.keys(mutations);
  for (let block = 0; block < 8; block++) {
    it(`mutants ${block * 50} to ${block * 50 + 49} return diagnostics`, () => {
      for (let index = block * 50; index < block * 50 + 50; index++) {
        const random = generator(index);
        let text = pick(bases, random);
        const steps = 1 + Math.floor(random() * 3);
        for (let step = 0; step < steps; step++) text = mutations[pick(names, random)]!(text, random);
        try {
          checkCase(text);
        } catch (error) {
          throw new Error(`mutant ${index} failed: ${error instanceof Error ? error.stack : String(error)}\n--- spec ---\n${text}`);
        }
      }
    });
  }
});
