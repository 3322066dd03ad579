// Golden text dumps of small ONNX graphs, and of the phantom spec's similarity map (both
// towers and the token × patch product), at opsets 13, 17 and 20. Regenerate with
// UPDATE_GOLDEN=1 and review the diff. The tierc version is replaced by <version> so that
// a release does not change the files.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tiercVersion } from '../../../src/cli/version.js';
import { compileOnnx, dumpOnnx } from '../../../src/backends/onnx/index.js';
import { check } from '../../../src/compile.js';
import { nodeHost } from '../../../src/driver/index.js';
import { tinyClip, tinyConvNet, weightsFor } from './models.js';

const goldenDir = join(import.meta.dirname, '..', '..', 'golden', 'onnx');
const update = process.env.UPDATE_GOLDEN === '1';

const root = resolve(import.meta.dirname, '..', '..', '..');
const phantom = check({ entry: 'specs/phantom_small.tier', host: nodeHost(root), cwd: root }).models.find(
  (model) => model.name === 'phantom_small',
);
if (phantom === undefined) throw new Error('specs/phantom_small.tier did not lower to a model');

const cases = [
  { name: 'tiny_convnet.image_tower', module: tinyConvNet(), graph: 'image_tower' as const },
  { name: 'tiny_clip.text_tower', module: tinyClip(), graph: 'text_tower' as const },
  { name: 'phantom_small.similarity_map', module: phantom.module, graph: 'similarity_map' as const },
];

describe('golden ONNX dumps', () => {
  for (const { name, module, graph } of cases) {
    for (const opset of [13, 17, 20]) {
      it(`${name} at opset ${opset}`, () => {
        const result = compileOnnx(module, { graphs: [graph], weights: weightsFor(module), opset, spec: { file: 'tiny.tier', hash: 'golden' } });
        expect(result.diagnostics).toEqual([]);
        const text = dumpOnnx(result.files[0]!.bytes).split(tiercVersion()).join('<version>');
        const file = join(goldenDir, `${name}.opset${opset}.txt`);
        if (update) {
          mkdirSync(goldenDir, { recursive: true });
          writeFileSync(file, text);
        }
        expect(existsSync(file), `${file} is missing; run with UPDATE_GOLDEN=1 to create it`).toBe(true);
        expect(text).toBe(readFileSync(file, 'utf8'));
      });
    }
  }
});
