// Every graph of the tiny models loads in onnxruntime-node and matches the reference
// interpreter within 1e-4 at two batch sizes, two token lengths and opsets 13 to 21.
import { describe, expect, it } from 'vitest';
import { verifyOnnx } from '../../../src/backends/onnx/index.js';
import { IrBuilder } from '../../../src/ir/builder.js';
import type { IrModule, ValueId } from '../../../src/ir/types.js';
import { tinyClip, tinyConvNet, tinyInputs, weightsFor } from '../../backends/onnx/models.js';

const clip = tinyClip();
const convnet = tinyConvNet();
const sizes = [
  { batch: 1, tokens: 4 },
  { batch: 3, tokens: 7 },
];

async function expectParity(module: IrModule, graphs: ('image_tower' | 'text_tower' | 'similarity_map')[], opset: number, batch: number, tokens: number, expectedOutputs: number): Promise<void> {
  const report = await verifyOnnx(module, weightsFor(module), tinyInputs(module, batch, tokens), { graphs, opset });
  expect(report.diagnostics).toEqual([]);
  expect(report.comparisons).toHaveLength(expectedOutputs);
  for (const comparison of report.comparisons) {
    expect(comparison.maxAbsDiff, `${comparison.graph}/${comparison.output}`).toBeLessThan(1e-4);
    expect(comparison.shape[0]).toBe(batch);
  }
}

describe('onnxruntime parity', () => {
  for (const opset of [13, 17, 20]) {
    for (const { batch, tokens } of sizes) {
      it(`tiny clip at opset ${opset}, batch ${batch}, ${tokens} tokens`, async () => {
        await expectParity(clip, ['image_tower', 'text_tower', 'similarity_map'], opset, batch, tokens, 5);
      });
      it(`tiny conv net at opset ${opset}, batch ${batch}`, async () => {
        await expectParity(convnet, ['image_tower'], opset, batch, tokens, 2);
      });
    }
  }

  it('takes int64 token ids when asked', async () => {
    const report = await verifyOnnx(clip, weightsFor(clip), tinyInputs(clip, 2, 5), { graphs: ['text_tower'], integerInputs: 'int64' });
    expect(report.diagnostics).toEqual([]);
    for (const comparison of report.comparisons) expect(comparison.maxAbsDiff).toBeLessThan(1e-4);
  });

  for (const opset of [14, 15, 16, 18, 19, 21]) {
    it(`tiny clip loads and matches at opset ${opset}`, async () => {
      await expectParity(clip, ['image_tower', 'text_tower', 'similarity_map'], opset, 2, 5, 5);
    });
  }
});

/** Builds one module that applies the ops the tiny models do not use, concatenated into one [batch, n] output. */
function opsModule(): IrModule {
  const b = new IrBuilder('ops');
  b.symbol('batch');
  const x = b.input('image', 'image', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'feature', size: 4 }] });
  const positive = b.add(b.abs(x), b.scalar(0.5));
  const parts: ValueId[] = [
    b.neg(x), b.exp(x), b.log(positive), b.sqrt(positive), b.reciprocal(positive), b.sigmoid(x), b.erf(x), b.tanh(x),
    b.pow(positive, b.scalar(1.5)), b.maximum(x, b.scalar(0.2)), b.minimum(x, b.scalar(-0.2)),
    b.cast(b.greater(x, b.scalar(0)), 'f32'),
    b.cast(b.equal(b.cast(b.mul(x, b.scalar(2)), 'i32'), b.constant([0], [], { dtype: 'i32' })), 'f32'),
    b.where(b.greater(x, b.scalar(0.1)), x, b.mul(x, b.scalar(3))),
    b.cast(b.cast(b.mul(x, b.scalar(3)), 'i32'), 'f32'),
    b.clip(x, -0.5, 0.5), b.clip(x, undefined, 0.25), b.clip(x, 0),
    b.logSoftmax(x, 1), b.softmax(x, 0),
    b.add(b.reduceMax(x, [1], true), b.mul(x, b.scalar(0))),
    b.add(b.reduceSum(x, [1], true), b.reduceSum(x, [0], true)),
    b.matmul(x, b.eyeLike(b.constant(new Array(16).fill(0), [4, 4]))),
    b.slice(b.concat([x, b.neg(x)], 1), 1, 2, 6),
    // Batch norm that follows no conv stays a BatchNormalization node; here on a rank-2 input.
    b.batchNorm(x, b.constant([1, 2, 0.5, 1], [4]), b.constant([0, 0.1, 0.2, 0.3], [4]), b.constant([0.1, -0.1, 0, 0.2], [4]), b.constant([1, 0.5, 2, 1.5], [4])),
    // Layer norm without bias, over the feature axis.
    b.layerNorm(x, b.constant([1, 2, 3, 4], [4]), undefined, { axis: 1, eps: 1e-5 }),
    b.cast(b.rangeLike(b.transpose(x, [1, 0]), 1), 'f32'),
  ];
  // range_like over the batch axis has shape [batch]; the others are [batch, 4].
  const last = parts.pop()!;
  const rows = b.unsqueeze(last, [1]);
  parts.push(b.mul(b.add(x, b.scalar(0)), rows));
  b.output('similarity', b.concat(parts, 1));
  return b.finish();
}

describe('op coverage', () => {
  const module = opsModule();
  for (const opset of [13, 18, 21]) {
    it(`remaining ops match at opset ${opset}`, async () => {
      for (const batch of [1, 3]) {
        const data = Array.from({ length: batch * 4 }, (_, i) => Math.cos(i * 1.3) * 1.2);
        const report = await verifyOnnx(module, new Map(), { image: { shape: [batch, 4], data } }, { graphs: ['similarity_map'], opset });
        expect(report.diagnostics).toEqual([]);
        expect(report.comparisons[0]!.shape).toEqual([batch, 108]);
        expect(report.comparisons[0]!.maxAbsDiff).toBeLessThan(1e-4);
      }
    });
  }
});

describe('verifyOnnx errors', () => {
  it('reports inputs the interpreter rejects', async () => {
    const inputs = tinyInputs(clip, 1, 4);
    // onnxruntime's Gather counts -1 from the end; the IR's gather has no negative ids.
    inputs.tokens!.data[0] = -1;
    const report = await verifyOnnx(clip, weightsFor(clip), inputs, { graphs: ['text_tower'] });
    expect(report.ok).toBe(false);
    expect(report.diagnostics.map((d) => d.code)).toEqual(['TIER4032']);
    expect(report.diagnostics[0]!.message).toContain('gather index -1 is outside');
  });
});

describe('transpose chains', () => {
  it('composes three transposes exactly', async () => {
    const b = new IrBuilder('chain');
    b.symbol('batch');
    const x = b.input('image', 'image', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'a', size: 2 }, { name: 'b', size: 3 }, { name: 'c', size: 4 }] });
    const y = b.transpose(b.transpose(b.transpose(x, [0, 2, 1, 3]), [0, 1, 3, 2]), [3, 1, 0, 2]);
    b.output('similarity', b.add(y, b.scalar(1)));
    const module = b.finish();
    const data = Array.from({ length: 2 * 24 }, (_, i) => i);
    const report = await verifyOnnx(module, new Map(), { image: { shape: [2, 2, 3, 4], data } }, { graphs: ['similarity_map'] });
    expect(report.diagnostics).toEqual([]);
    expect(report.comparisons[0]!.maxAbsDiff).toBe(0);
    const { compileOnnx, decodeModel } = await import('../../../src/backends/onnx/index.js');
    const model = decodeModel(compileOnnx(module, { graphs: ['similarity_map'], weights: new Map() }).files[0]!.bytes);
    expect(model.graph!.node!.map((n) => n.opType)).toEqual(['Transpose', 'Add']);
  });
});
