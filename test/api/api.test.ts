// The public API as another package uses it: only the package name is imported, so this runs
// against the built `dist/` through the exports map (`npm test` builds first).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tierc from 'tierc';

const root = resolve(import.meta.dirname, '../..');

const SMALL = `model m {
  axes { batch; token <= 8; patch = 2 * 2 }
  image encoder = vit(image: 32, patch: 16, width: 8, layers: 1, heads: 2)
  text encoder = bert(layers: 1, width: 8, heads: 2, vocab: 20, max_len: 8)
  head ip = linear(8 -> 4)
  head tp = linear(8 -> 4)
  let sim = normalize(tp(text.tokens), over: dim) . normalize(ip(image.patches), over: dim)
  loss clip = infonce(normalize(ip(image.cls), over: dim), normalize(tp(text.cls), over: dim))
}
`;

/** Model 'm' with a shape error on line 7: the contraction's operands share no axis. */
const BROKEN_SHAPE = SMALL.replace('over: dim) . normalize', 'over: dim) . mean');
/** Model 'n' with a syntax error on line 6 of its text: an unfinished argument list. */
const BROKEN_SYNTAX = SMALL.replace('model m', 'model n').replace('head ip = linear(8 -> 4)', 'head ip = linear(8 -> ');

describe('package exports', () => {
  it('exports exactly the documented names', () => {
    // Adding a name to the public API is a decision: update this list with it.
    expect(Object.keys(tierc).sort()).toEqual([
      'applyFreeze', 'check', 'checkPhases', 'checkSpec', 'closestMatch', 'compile', 'createLoader', 'data', 'didYouMean',
      'encodeBatch', 'evaluation', 'explain', 'formatSpec', 'loadProgram', 'loadTokenizer', 'lowerProgram', 'memoryHost',
      'nodeHost', 'parse', 'pipeline', 'preprocessFor', 'printModule', 'printSpec', 'readConfigs', 'readManifest', 'renderDiagnostics',
      'renderDiagnosticsJson', 'report',
    ]);
  });
});

describe('check', () => {
  it('accepts a spec given as text', () => {
    const result = tierc.check(SMALL);
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toEqual([]);
    expect(result.models.map((model) => model.name)).toEqual(['m']);
    expect(Object.keys(result.models[0]!.module.outputs)).toContain('similarity');
  });

  it('returns diagnostics as data', () => {
    const result = tierc.check(SMALL.replace('over: dim) . normalize', 'over: dim) . mean'));
    expect(result.ok).toBe(false);
    expect(result.failedPhase).toBe('lower');
    expect(result.diagnostics.map((d) => [d.code, d.span?.file, d.span?.start.line])).toEqual([['TIER3002', 'spec.tier', 7]]);
  });

  it('reports errors of every phase', () => {
    const spec = BROKEN_SHAPE + BROKEN_SYNTAX;
    const result = tierc.check(spec);
    expect(result.ok).toBe(false);
    expect(result.failedPhase).toBe('parse');
    expect(result.diagnostics.map((d) => [d.code, d.span?.start.line])).toEqual([['TIER1006', 15], ['TIER3002', 7]]);
  });

  it('lowers the models without errors', () => {
    const result = tierc.check(SMALL + BROKEN_SYNTAX);
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['TIER1006']);
    expect(result.models.map((model) => model.name)).toEqual(['m']);
  });

  it('reads files through a plain reader', () => {
    const files = new Map([['/w/spec.tier', SMALL]]);
    const result = tierc.check({ entry: 'spec.tier', cwd: '/w', host: { readFile: (path: string) => files.get(path) } });
    expect(result.ok).toBe(true);
    const missing = tierc.check({ entry: 'none.tier', cwd: '/w', host: { readFile: (path: string) => files.get(path) } });
    expect(missing.diagnostics.map((d) => d.code)).toEqual(['TIER2004']);
  });

  it('resolves imports through an in-memory host', () => {
    const files = {
      '/work/heads.tier': 'block proj(width) {\n  linear(out: width) | gelu\n}\n',
      '/work/main.tier': `import "heads.tier"\n${SMALL.replace('head ip = linear(8 -> 4)', 'head ip = proj(4)')}`,
    };
    const result = tierc.check({ entry: 'main.tier', files, cwd: '/work' });
    expect(result.diagnostics).toEqual([]);
    expect(result.models[0]!.module.params.filter((p) => p.name.startsWith('ip.')).map((p) => p.name)).toEqual(['ip.0.weight', 'ip.0.bias']);
  });
});

describe('compile', () => {
  it('emits the IR listing as an artifact', async () => {
    const result = await tierc.compile(SMALL, { target: 'ir' });
    expect(result.ok).toBe(true);
    expect(result.artifacts.map((artifact) => artifact.path)).toEqual(['m.ir.txt']);
    expect(result.artifacts[0]!.text).toContain('module m\n');
  });

  it('compiles nothing when any model has errors', async () => {
    const result = await tierc.compile(SMALL + BROKEN_SYNTAX, { target: 'ir' });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['TIER1006']);
    expect(result.artifacts).toEqual([]);
  });

  it('reports errors of every phase before compiling', async () => {
    const result = await tierc.compile(BROKEN_SHAPE + BROKEN_SYNTAX, { target: 'onnx' });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['TIER1006', 'TIER3002']);
    expect(result.artifacts).toEqual([]);
  });

  it('reports an unknown model', async () => {
    const result = await tierc.compile(SMALL, { target: 'ir', model: 'n' });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['TIER2115']);
  });
});

describe('explain', () => {
  it('gives shapes and parameter counts of tier_cxr', () => {
    const report = tierc.explain({ entry: 'specs/tier_cxr.tier', host: tierc.nodeHost(root), cwd: root }, { batch: 2 });
    expect(report.ok).toBe(true);
    const model = report.models[0]!;
    expect(model.values.find((value) => value.name === 'sim')!.shape).toEqual(['batch', 'token', 'patch']);
    const component = (name: string) => model.components.find((c) => c.name === name)!;
    expect(component('image').params).toBe(23_508_032);
    expect(component('text').params).toBe(108_891_648);
    expect(model.flopSizes).toEqual({ batch: 2, token: 128 });
    const text = model.options.find((entry) => entry.component === 'text')!;
    expect(text.options['max_len']).toEqual({ value: 512, default: true });
    expect(text.options['layers']).toEqual({ value: 12, default: false });
  });

  it('explains the models without errors', () => {
    const report = tierc.explain(SMALL + BROKEN_SYNTAX);
    expect(report.ok).toBe(false);
    expect(report.check.diagnostics.map((d) => d.code)).toEqual(['TIER1006']);
    expect(report.models.map((model) => model.name)).toEqual(['m']);
  });
});

describe('train freeze', () => {
  it('freezes the parameters under the train block patterns', () => {
    const spec = `${SMALL}
data d {
  manifest: "d.csv"
  image: column "path", root "images"
  text: column "report"
}

train {
  model: m
  data: d
  freeze: [text.embeddings, image.transformer.resblocks[0]]
}
`;
    const result = tierc.check(spec);
    expect(result.ok).toBe(true);
    const frozen = result.models[0]!.module.params.filter((param) => !param.trainable && param.role !== 'buffer').map((param) => param.name);
    expect(frozen.length).toBeGreaterThan(0);
    expect(frozen.every((name) => name.startsWith('text.embeddings.') || name.startsWith('image.transformer.resblocks.0.'))).toBe(true);
    expect(frozen).toContain('text.embeddings.word_embeddings.weight');
    expect(frozen).toContain('image.transformer.resblocks.0.attn.in_proj_weight');
  });
});
