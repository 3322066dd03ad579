// Models built from the standard library export, load in onnxruntime-node and match the
// reference interpreter: the ResNet + BERT layout of the TIER paper (Palepu and Beam, MLHC
// 2023) and a ViT + CLIP-text model.
import { describe, expect, it } from 'vitest';
import { compileOnnx, decodeModel, verifyOnnx } from '../../../src/backends/onnx/index.js';
import type { IrModule } from '../../../src/ir/types.js';
import { tinyInputs, weightsFor } from '../../backends/onnx/models.js';
import { paperLayout, vitClipText } from '../../backends/onnx/stdlib_models.js';

const models: [string, IrModule][] = [
  ['paper layout', paperLayout()],
  ['vit and clip text', vitClipText()],
];
const graphs = ['image_tower', 'text_tower', 'similarity_map'] as const;

describe('standard library models', () => {
  for (const [name, module] of models) {
    for (const opset of [13, 17, 20]) {
      it(`${name} matches at opset ${opset}`, async () => {
        for (const [batch, tokens] of [[1, 5], [2, 9]] as const) {
          const report = await verifyOnnx(module, weightsFor(module), tinyInputs(module, batch, tokens), { graphs: [...graphs], opset });
          expect(report.diagnostics).toEqual([]);
          expect(report.comparisons).toHaveLength(5);
          for (const comparison of report.comparisons) {
            expect(comparison.maxAbsDiff, `${comparison.graph}/${comparison.output}`).toBeLessThan(1e-4);
          }
          const similarity = report.comparisons.find((c) => c.output === 'similarity')!;
          expect(similarity.shape).toEqual([batch, tokens, module === models[0]![1] ? 64 : 16]);
        }
      });
    }
  }

  it('folds every ResNet batch norm into its conv', () => {
    const module = models[0]![1];
    const result = compileOnnx(module, { graphs: ['image_tower'], weights: weightsFor(module) });
    const ops = decodeModel(result.files[0]!.bytes).graph!.node!.map((n) => n.opType);
    expect(ops.filter((op) => op === 'BatchNormalization')).toHaveLength(0);
    // Stem, 3 bottlenecks of 3 convs, one downsample, and the two 1×1 projection convs.
    expect(ops.filter((op) => op === 'Conv')).toHaveLength(13);
  });

  it('stores a tied projection once', () => {
    const module = models[1]![1];
    const result = compileOnnx(module, { graphs: ['image_tower'], weights: weightsFor(module) });
    const initializers = decodeModel(result.files[0]!.bytes).graph!.initializer!;
    const projections = initializers.filter((t) => t.name!.startsWith('image_proj'));
    expect(projections.map((t) => t.dims!.map(Number))).toEqual([[16, 8]]);
  });
});
