// The shipped phantom spec, lowered by the front end, exports to ONNX and matches the
// reference interpreter at opsets 13 and 20 with dynamic batch and token length.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyOnnx } from '../../../src/backends/onnx/index.js';
import { check } from '../../../src/compile.js';
import { nodeHost } from '../../../src/driver/host.js';
import { initializeParams } from '../../../src/ir/init.js';
import type { IrModule } from '../../../src/ir/types.js';

const root = join(import.meta.dirname, '..', '..', '..');

function phantomModule(): IrModule {
  const report = check({ entry: join(root, 'specs', 'phantom_small.tier'), host: nodeHost(root), cwd: root });
  expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return report.models.find((model) => model.name === 'phantom_small')!.module;
}

/** Inputs for every graph input by role, with token ids below the smallest embedding table. */
function inputsFor(module: IrModule, batch: number, tokens: number) {
  // Every gather reads a table parameter; ids below the smallest table's row count fit all of them.
  const tableRows = module.nodes
    .filter((node) => node.op === 'gather')
    .map((node) => module.nodes[node.inputs[0]!]!.type.axes[0]!.size)
    .filter((size): size is number => typeof size === 'number');
  const vocab = Math.min(...tableRows);
  expect(Number.isFinite(vocab)).toBe(true);
  const inputs: Record<string, { shape: number[]; data: number[] }> = {};
  for (const input of module.inputs) {
    const sizes: Record<string, number> = { batch, token: tokens };
    const shape = input.type.axes.map((axis) => sizes[axis.size] ?? Number(axis.size));
    const size = shape.reduce((n, dim) => n * dim, 1);
    const data = Array.from({ length: size }, (_, i) => {
      if (input.role === 'image') return Math.sin(i * 0.1);
      if (input.role === 'token_ids') return (i * 13) % vocab;
      if (input.role === 'pool_index') return tokens - 1 - (i % 2);
      return i % tokens < tokens - (Math.floor(i / tokens) % 2) ? 1 : 0;
    });
    inputs[input.name] = { shape, data };
  }
  return inputs;
}

describe('phantom spec export', () => {
  const module = phantomModule();
  const weights = initializeParams(module, 0);
  for (const [opset, batch, tokens] of [[13, 1, 7], [20, 3, 12]] as const) {
    it(`matches at opset ${opset}, batch ${batch}, ${tokens} tokens`, async () => {
      const report = await verifyOnnx(module, weights, inputsFor(module, batch, tokens), { opset, graphs: ['image_tower', 'text_tower', 'similarity_map'] });
      expect(report.diagnostics).toEqual([]);
      expect(report.comparisons.map((c) => c.output)).toEqual(['image_embedding', 'patch_embeddings', 'text_embedding', 'token_embeddings', 'similarity']);
      for (const comparison of report.comparisons) expect(comparison.maxAbsDiff, comparison.output).toBeLessThan(1e-4);
    });
  }
});
