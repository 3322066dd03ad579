// Every graph of every spec in specs/, paper-scale models included, exported with seeded weights
// and run in onnxruntime-node at batch 1 and 2 (text graphs also at two token lengths). The
// outputs must have the shapes the IR declares and be finite. The zero-shot graph gets unit
// prompt vectors for the spec's labels, because the tokenizer files that the paper specs name
// (weights/cxr-bert/vocab.txt) are not in the repository. Each graph is compiled, loaded into one session, run and released before
// the next, so only one graph's bytes and session are alive at a time. Where python3-onnx is
// installed, onnx.checker.check_model(full_check=True) also reads every graph below 64 MiB at
// opsets up to 17, the newest that the Debian package (onnx 1.12) knows. That covers the phantom
// specs; the paper-scale graphs (95 to 530 MiB each) are left to onnxruntime, to keep the
// checker's copies of them out of the suite's memory and time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { compileOnnx, type OnnxGraphKind, type ZeroShotOptions } from '../../../src/backends/onnx/index.js';
import { check } from '../../../src/compile.js';
import { nodeHost } from '../../../src/driver/host.js';
import { initializeParams } from '../../../src/ir/init.js';
import type { IrModule, Size } from '../../../src/ir/types.js';

const root = join(import.meta.dirname, '..', '..', '..');
const specs = readdirSync(join(root, 'specs')).filter((name) => name.endsWith('.tier')).sort();
const scratch = mkdtempSync(join(tmpdir(), 'tierc-every-spec-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const python = '/usr/bin/python3';
const hasOnnx = spawnSync(python, ['-c', 'import onnx'], { encoding: 'utf8' }).status === 0;
const CHECKER_MAX_BYTES = 64 * 2 ** 20;
const CHECKER_MAX_OPSET = 17;

/** Runs onnx.checker with full_check on the files; returns its output. */
function runChecker(files: string[]): { stdout: string; stderr: string } {
  const script = 'import onnx, sys\nfor path in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(path), full_check=True)\nprint("ok", len(sys.argv) - 1)';
  const run = spawnSync(python, ['-c', script, ...files], { encoding: 'utf8' });
  return { stdout: run.stdout, stderr: run.stderr };
}

/** Two runs per graph: batch 1 with the longer token length, batch 2 with the shorter one. */
const RUNS = [
  { batch: 1, tokens: 9 },
  { batch: 2, tokens: 4 },
] as const;

interface SpecModel {
  module: IrModule;
  graphs: OnnxGraphKind[];
  opset: number | undefined;
  labels: string[];
}

function modelsOf(spec: string): SpecModel[] {
  const report = check({ entry: join(root, 'specs', spec), host: nodeHost(root), cwd: root });
  expect(report.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return report.models.map((model) => {
    const exportConfig = report.configs?.export.find((config) => config.model === model.name);
    const defaults: OnnxGraphKind[] = ['image_tower', 'text_tower', ...('similarity' in model.module.outputs ? (['similarity_map'] as const) : [])];
    const zeroshot = report.configs?.eval.find((config) => (config.model === undefined || config.model === model.name) && config.zeroshot !== undefined)?.zeroshot;
    return { module: model.module, graphs: exportConfig?.graphs ?? defaults, opset: exportConfig?.opset, labels: Object.keys(zeroshot?.labels ?? { Finding: [] }) };
  });
}

/** Builds unit prompt vectors, different per label and side. */
function promptVectors(module: IrModule, labels: string[]): ZeroShotOptions {
  const width = Number(module.nodes[module.outputs.image_embedding!]!.type.axes.at(-1)!.size);
  const vector = (seed: number) => {
    const values = Array.from({ length: width }, (_, i) => Math.sin((i + 1) * (seed + 1) * 0.7));
    const norm = Math.hypot(...values);
    return values.map((value) => value / norm);
  };
  return { labels: labels.map((name, k) => ({ name, positive: vector(2 * k), negative: vector(2 * k + 1) })), rule: 'difference' };
}

/** Returns the row count of the smallest embedding table, so that every token id is a valid row of each table. */
function vocabularySize(module: IrModule): number {
  const rows = module.nodes
    .filter((node) => node.op === 'gather')
    .map((node) => module.nodes[node.inputs[0]!]!.type.axes[0]!.size)
    .filter((size): size is number => typeof size === 'number');
  return Math.min(...rows);
}

function feeds(module: IrModule, names: readonly string[], batch: number, tokens: number): Record<string, ort.Tensor> {
  const sizes: Record<string, number> = { batch, token: tokens };
  const vocab = vocabularySize(module);
  const result: Record<string, ort.Tensor> = {};
  for (const name of names) {
    const input = module.inputs.find((entry) => entry.name === name)!;
    const shape = input.type.axes.map((axis) => sizes[axis.size] ?? Number(axis.size));
    const count = shape.reduce((n, dim) => n * dim, 1);
    // Row b has b padding tokens at its end, so the masked rows differ.
    const real = (b: number) => tokens - Math.min(b, tokens - 1);
    switch (input.role) {
      case 'image':
        result[name] = new ort.Tensor('float32', Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.013)), shape);
        break;
      case 'token_ids':
        result[name] = new ort.Tensor('int32', Int32Array.from({ length: count }, (_, i) => (i * 7919 + 3) % vocab), shape);
        break;
      case 'attention_mask':
        result[name] = new ort.Tensor('float32', Float32Array.from({ length: count }, (_, i) => (i % tokens < real(Math.floor(i / tokens)) ? 1 : 0)), shape);
        break;
      case 'pool_index':
        result[name] = new ort.Tensor('int32', Int32Array.from({ length: count }, (_, b) => real(b) - 1), shape);
        break;
      default:
        throw new Error(`graph input '${name}' has role '${input.role}', which this test does not feed`);
    }
  }
  return result;
}

/** Returns the output's shape: the IR type with batch and token sizes filled in, or [batch, label] for the scores. */
function expectedShape(module: IrModule, output: string, batch: number, tokens: number, labels: number): number[] {
  if (output === 'scores') return [batch, labels];
  const sizes: Record<string, number> = { batch, token: tokens };
  return module.nodes[module.outputs[output]!]!.type.axes.map((axis) => sizes[axis.size as Exclude<Size, number>] ?? Number(axis.size));
}

describe.each(specs)('%s', (spec) => {
  it('runs every graph at two batch sizes', async () => {
    const checked: string[] = [];
    for (const model of modelsOf(spec)) {
      const weights = initializeParams(model.module, 0);
      for (const graph of model.graphs) {
        const compiled = compileOnnx(model.module, {
          graphs: [graph],
          weights,
          externalDataThreshold: Infinity,
          ...(model.opset === undefined ? {} : { opset: model.opset }),
          ...(graph === 'zeroshot' ? { zeroshot: promptVectors(model.module, model.labels) } : {}),
        });
        expect(compiled.diagnostics.filter((d) => d.severity === 'error'), `${model.module.name}/${graph}`).toEqual([]);
        const bytes = compiled.files[0]!.bytes;
        if (hasOnnx && bytes.length < CHECKER_MAX_BYTES && (model.opset ?? 17) <= CHECKER_MAX_OPSET) {
          const file = join(scratch, `${spec}.${model.module.name}.${graph}.onnx`);
          writeFileSync(file, bytes);
          checked.push(file);
        }
        const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
        try {
          const text = session.inputNames.some((name) => model.module.inputs.find((input) => input.name === name)?.role === 'token_ids');
          for (const { batch, tokens } of text ? RUNS : RUNS.map((run) => ({ ...run, tokens: 0 }))) {
            const results = await session.run(feeds(model.module, session.inputNames, batch, tokens));
            for (const name of session.outputNames) {
              const where = `${model.module.name}/${graph} output '${name}' at batch ${batch}, ${tokens} tokens`;
              expect([...results[name]!.dims], where).toEqual(expectedShape(model.module, name, batch, tokens, model.labels.length));
              expect((results[name]!.data as Float32Array).every(Number.isFinite), where).toBe(true);
            }
          }
        } finally {
          await session.release();
        }
      }
    }
    if (checked.length > 0) {
      const result = runChecker(checked);
      expect(result.stderr).toBe('');
      expect(result.stdout.trim()).toBe(`ok ${checked.length}`);
    }
  }, 600_000);
});
