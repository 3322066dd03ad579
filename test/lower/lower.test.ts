import { describe, expect, it } from 'vitest';
import { countParams, initializeParams, verifyModule, type IrModule } from '../../src/ir/index.js';
import { interpret } from '../../src/ir/interpret.js';
import { lowerText, TIER_CXR } from './helpers.js';

const TINY = `
model tiny(words: 0.1, regions: 0.1) {
  axes { batch; token <= 8; patch = 2 * 2 }
  image encoder = vit(image: 32, patch: 16, width: 8, layers: 1, heads: 2)
  text encoder = bert(layers: 1, width: 8, heads: 2, vocab: 20, max_len: 8, dropout: 0, attention_dropout: 0)
  head ip = linear(8 -> 6)
  head tp = linear(8 -> 6) | gelu | layernorm
  let patches = normalize(ip(image.patches), over: dim)
  let tokens = normalize(tp(text.tokens), over: dim)
  let sim = tokens . patches
  param logit_scale = ln(1 / 0.07)
  loss clip = infonce(normalize(ip(image.cls), over: dim), normalize(tp(text.cls), over: dim), scale: exp(logit_scale))
  loss words = words * mean(entropy(softmax(sim, over: patch), eps: 1e-7), over: [batch, token])
  loss regions = regions * mean(entropy(softmax(sim, over: token), eps: 1e-7), over: [batch, patch])
}
model baseline = tiny(words: 0, regions: 0)
`;

function lowerOne(text: string, name?: string) {
  const result = lowerText(text);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const model = name === undefined ? result.models[0]! : result.models.find((m) => m.name === name)!;
  expect(verifyModule(model.module)).toEqual([]);
  return model;
}

/** Runs the module with seeded weights and returns the requested outputs and every loss value. */
function run(module: IrModule, inputs: Record<string, { shape: number[]; data: number[] }>) {
  const copy = structuredClone(module);
  for (const loss of copy.losses) copy.outputs[`loss.${loss.name}`] = loss.value;
  return interpret(copy, { inputs, weights: initializeParams(copy, 7), mode: 'inference', outputs: Object.keys(copy.outputs) });
}

function tinyInputs() {
  const image = Array.from({ length: 2 * 3 * 32 * 32 }, (_, i) => Math.sin(i * 0.37));
  return {
    image: { shape: [2, 3, 32, 32], data: image },
    token_ids: { shape: [2, 5], data: [1, 5, 7, 9, 2, 1, 4, 4, 2, 0] },
    attention_mask: { shape: [2, 5], data: [1, 1, 1, 1, 1, 1, 1, 1, 1, 0] },
  };
}

describe('lowering tier_cxr', () => {
  const model = lowerOne(TIER_CXR);
  const counts = countParams(model.module);

  it('counts the ResNet-50 trunk and BERT-base parameters', () => {
    expect(counts.components['image']!.total).toBe(23_508_032);
    expect(counts.components['text']!.total).toBe(108_891_648);
  });

  it('freezes BERT embeddings and layers 0 to 7', () => {
    // Four trainable layers of 7,087,872 parameters each.
    expect(counts.components['text']!.trainable).toBe(4 * 7_087_872);
  });

  it('shares head weights between applications', () => {
    // linear 768->128, layernorm 128, linear 128->128: once, although applied to tokens and cls.
    expect(counts.components['token_proj']!.total).toBe(768 * 128 + 128 + 2 * 128 + 128 * 128 + 128);
    // conv 2048->128 without bias, batchnorm 128, conv 128->128 with bias.
    expect(counts.components['patch_proj']!.total).toBe(2048 * 128 + 2 * 128 + 128 * 128 + 128);
  });

  it('names the similarity [batch, token, patch]', () => {
    const sim = model.named.find((value) => value.name === 'sim')!;
    expect(sim.value.type.axes).toEqual([
      { name: 'batch', size: 'batch' },
      { name: 'token', size: 'token' },
      { name: 'patch', size: 49 },
    ]);
  });

  it('defines the conventional outputs and every let', () => {
    const outputs = model.module.outputs;
    expect(Object.keys(outputs).sort()).toEqual(
      ['image_embedding', 'img', 'patch_embeddings', 'patches', 'sim', 'similarity', 'text_embedding', 'tokens', 'token_embeddings', 'txt'].sort(),
    );
    expect(outputs['similarity']).toBe(outputs['sim']);
    expect(outputs['image_embedding']).toBe(outputs['img']);
    expect(outputs['text_embedding']).toBe(outputs['txt']);
  });

  it('keeps loss weights and spans', () => {
    expect(model.module.losses.map((loss) => [loss.name, loss.weight])).toEqual([
      ['clip', { kind: 'constant', value: 1 }],
      ['words', { kind: 'constant', value: 0.1 }],
      ['regions', { kind: 'constant', value: 0.1 }],
    ]);
    expect(model.module.losses.map((loss) => loss.span?.start.line)).toEqual([25, 26, 27]);
    expect(model.module.nodes.every((node) => node.span !== undefined)).toBe(true);
  });

  it('declares graph inputs by role with the image size 224', () => {
    expect(model.module.inputs.map((input) => [input.name, input.role, input.type.axes.map((axis) => axis.size)])).toEqual([
      ['image', 'image', ['batch', 3, 224, 224]],
      ['token_ids', 'token_ids', ['batch', 'token']],
      ['attention_mask', 'attention_mask', ['batch', 'token']],
    ]);
    expect(model.module.symbols).toEqual([{ name: 'batch', span: expect.anything() }, { name: 'token', max: 128, span: expect.anything() }]);
  });

  it('applies a head to the same value once', () => {
    const convs = model.module.nodes.filter((node) => node.op === 'conv2d' && (node.name ?? '').startsWith('patch_proj'));
    const matmuls = model.module.nodes.filter((node) => node.op === 'matmul' && (node.name ?? '').startsWith('patch_proj'));
    expect(convs.length + matmuls.length).toBe(2);
  });
});

describe('lowering meaning', () => {
  const model = lowerOne(TINY, 'tiny');
  const result = run(model.module, tinyInputs());

  it('computes the words entropy over patches of the similarity', () => {
    const sim = result['sim']!;
    expect(sim.shape).toEqual([2, 5, 4]);
    let total = 0;
    for (let n = 0; n < 2; n++) {
      for (let t = 0; t < 5; t++) {
        const row = [0, 1, 2, 3].map((p) => Number(sim.data[(n * 5 + t) * 4 + p]));
        const max = Math.max(...row);
        const exps = row.map((v) => Math.exp(v - max));
        const sum = exps.reduce((a, b) => a + b, 0);
        total += -exps.map((e) => e / sum + 1e-7).reduce((h, p) => h + p * Math.log(p), 0);
      }
    }
    expect(Number(result['loss.words']!.data[0])).toBeCloseTo(total / 10, 9);
  });

  it('computes the similarity as per-pair cosines', () => {
    const tokens = result['tokens']!;
    const patches = result['patches']!;
    const sim = result['sim']!;
    const dot = (n: number, t: number, p: number) => {
      let s = 0;
      for (let d = 0; d < 6; d++) s += Number(tokens.data[(n * 5 + t) * 6 + d]) * Number(patches.data[(n * 4 + p) * 6 + d]);
      return s;
    };
    expect(Number(sim.data[(1 * 5 + 3) * 4 + 2])).toBeCloseTo(dot(1, 3, 2), 12);
  });

  it('computes infonce with the scale exp(logit_scale)', () => {
    const img = result['image_embedding']!;
    const txt = result['text_embedding']!;
    const scale = 1 / 0.07;
    const logits = [0, 1].map((i) => [0, 1].map((j) => {
      let s = 0;
      for (let d = 0; d < 6; d++) s += Number(img.data[i * 6 + d]) * Number(txt.data[j * 6 + d]);
      return scale * s;
    }));
    const ce = (rows: number[][]) => rows.reduce((total, row, i) => total - (row[i]! - Math.log(row.reduce((a, v) => a + Math.exp(v), 0))), 0) / rows.length;
    const transposed = [0, 1].map((j) => [0, 1].map((i) => logits[i]![j]!));
    expect(Number(result['loss.clip']!.data[0])).toBeCloseTo((ce(logits) + ce(transposed)) / 2, 9);
  });

  it('lowers an instance with its own weights', () => {
    const baseline = lowerOne(TINY, 'baseline');
    expect(baseline.module.name).toBe('baseline');
    expect(baseline.module.losses.map((loss) => loss.weight)).toEqual([
      { kind: 'constant', value: 1 },
      { kind: 'constant', value: 0 },
      { kind: 'constant', value: 0 },
    ]);
    expect(baseline.parameters).toEqual({ words: 0, regions: 0 });
  });
});

describe('lowering forms', () => {
  const base = `
  axes { batch; token <= 8; patch = 2 * 2 }
  image encoder = vit(image: 32, patch: 16, width: 8, layers: 1, heads: 2)
  text encoder = bert(layers: 1, width: 8, heads: 2, vocab: 20, max_len: 8)`;

  it('makes learnable scales clamped parameters and warmup schedules', () => {
    const model = lowerOne(`model m {${base}
  let sim = text.tokens . image.patches
  loss clip = infonce(image.cls, text.cls, scale: learnable(init: 14.29))
  loss words = warmup(0 -> 0.2, steps: 2000) * mean(entropy(softmax(sim, over: patch, mask: text.padding)), over: [batch, token], mask: text.padding)
}`);
    const scale = model.module.params.find((param) => param.name === 'logit_scale')!;
    expect(scale.init).toEqual({ kind: 'constant', value: Math.log(14.29) });
    expect(model.module.clamps).toEqual([{ param: model.module.params.indexOf(scale), max: Math.log(100) }]);
    expect(model.module.losses[1]!.weight).toEqual({ kind: 'warmup', from: 0, to: 0.2, steps: 2000 });
  });

  it('inlines user blocks with their arguments', () => {
    const model = lowerOne(`block proj(width, hidden: 16) {
  let inner = hidden / 2
  linear(out: inner) | gelu | linear(out: width)
}
model m {${base}
  head h = proj(4)
  head g = proj(6, hidden: 32)
  loss clip = infonce(h(image.cls), h(text.cls)) + infonce(g(image.cls), g(text.cls))
}`);
    const shapes = Object.fromEntries(model.module.params.filter((p) => /^[hg]\./.test(p.name)).map((p) => [p.name, p.shape]));
    expect(shapes).toEqual({
      'h.0.weight': [8, 8], 'h.0.bias': [8], 'h.2.weight': [4, 8], 'h.2.bias': [4],
      'g.0.weight': [16, 8], 'g.0.bias': [16], 'g.2.weight': [6, 16], 'g.2.bias': [6],
    });
  });

  it('takes the image size from the preprocess pipeline', () => {
    const result = lowerText(`model m {
  axes { batch; token <= 8; patch = 14 * 14 }
  image encoder = resnet50(output: layer4)
  text encoder = bert(layers: 1, width: 8, heads: 2, vocab: 20, max_len: 8)
  loss clip = infonce(image.pooled, image.pooled)
}`, { imageSize: 448, imageChannels: 3 });
    expect(result.diagnostics).toEqual([]);
    const module = result.models[0]!.module;
    expect(module.inputs[0]!.type.axes.map((axis) => axis.size)).toEqual(['batch', 3, 448, 448]);
  });

  it('contracts with more than one kept axis by broadcasting', () => {
    const model = lowerOne(`model m {${base}
  let a = linear(image.patches, out: 3)
  let c = text.tokens . image.patches
  let d = c . a
  loss clip = infonce(image.cls, text.cls)
}`);
    const d = model.named.find((value) => value.name === 'd')!;
    expect(d.value.type.axes.map((axis) => axis.name)).toEqual(['batch', 'token', 'width']);
  });
});

describe('encoder axis names', () => {
  it('keeps the ViT token sequence apart from the text token axis', () => {
    const model = lowerOne(TINY, 'tiny');
    const tokens = model.named.find((value) => value.name === 'image.tokens')!;
    expect(tokens.value.type.axes.map((axis) => axis.name)).toEqual(['batch', 'image_token', 'width']);
  });
});
