// `--weights RUN`: which checkpoint of a run folder compile, verify and eval use. A run that kept
// the best K checkpoints by a metric gives its best one, any other run its newest.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/backends/onnx/index.js';
import { check, compile } from '../../src/compile.js';
import { specHash } from '../../src/ir/hash.js';
import { initializeParams } from '../../src/ir/init.js';
import type { IrModule } from '../../src/ir/types.js';
import { loadWeights } from '../../src/pipeline/weights.js';
import { chooseRunCheckpoint, saveCheckpoint, type CheckpointState, type RetentionPolicy } from '../../src/runtime/checkpoint.js';

const SMALL = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'specs', 'small-clip.tier'), 'utf8');

const METRIC = 'eval.test.auroc';
const scratch = mkdtempSync(join(tmpdir(), 'tierc-run-weights-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const module: IrModule = check(SMALL).models[0]!.module;
const shapes = new Map(module.params.map((param) => [param.name, param.shape as number[]]));

/** Writes a run folder with checkpoints at steps 10, 20 and 30 whose metric is 0.7, 0.9 and 0.8. */
function writeRun(name: string, retention: RetentionPolicy): string {
  const run = join(scratch, name);
  [0.7, 0.9, 0.8].forEach((auroc, index) => {
    const step = 10 * (index + 1);
    const state: CheckpointState = {
      step, seed: 0, dataCursor: null, specHash: specHash(module), specFile: 'spec.tier', tiercVersion: '0', optimizerStep: step, metrics: { loss: 1, [METRIC]: auroc },
    };
    saveCheckpoint(join(run, 'checkpoints'), state, initializeParams(module, step), new Map(), retention, undefined, shapes);
  });
  return run;
}

const keepBest = writeRun('best', { keepLast: 1, keepBest: 2, metric: METRIC, mode: 'max' });
const keepLast = writeRun('last', { keepLast: 2, keepBest: 0 });

describe('run folder checkpoint choice', () => {
  it('picks the best of a keep-best run', () => {
    const chosen = chooseRunCheckpoint(keepBest);
    expect(chosen?.step).toBe(20);
    expect(chosen?.choice).toBe(`best by ${METRIC} (0.9)`);
  });

  it('records the keep-best rule in state.json', () => {
    const state = JSON.parse(readFileSync(join(keepBest, 'checkpoints', 'step-00000030', 'state.json'), 'utf8')) as CheckpointState;
    expect(state.keepBest).toEqual({ metric: METRIC, mode: 'max' });
  });

  it('picks the newest of a keep-last run', () => {
    const chosen = chooseRunCheckpoint(keepLast);
    expect(chosen?.step).toBe(30);
    expect(chosen?.choice).toBe('newest');
  });

  it('accepts the checkpoints folder itself', () => {
    expect(chooseRunCheckpoint(join(keepBest, 'checkpoints'))?.step).toBe(20);
  });

  it('finds nothing in an empty folder', () => {
    expect(chooseRunCheckpoint(scratch)).toBeUndefined();
  });
});

describe('--weights with a run folder', () => {
  it('loads the best checkpoint for verify and eval', () => {
    const loaded = loadWeights('best', scratch, specHash(module));
    expect(loaded.path).toBe(join(keepBest, 'checkpoints', 'step-00000020'));
    expect(loaded.step).toBe(20);
    expect(loaded.choice).toBe(`best by ${METRIC} (0.9)`);
    expect(loaded.weights.get(module.params[0]!.name)).toEqual(initializeParams(module, 20).get(module.params[0]!.name));
  });

  it('leaves the choice empty for a named checkpoint', () => {
    const loaded = loadWeights('best/checkpoints/step-00000030', scratch, specHash(module));
    expect(loaded.step).toBe(30);
    expect(loaded.choice).toBeUndefined();
  });

  it('embeds the best checkpoint in compiled graphs', async () => {
    const result = await compile(SMALL, { target: 'onnx', weights: keepBest, graphs: ['image_tower'] });
    expect(result.diagnostics).toEqual([]);
    const graph = decodeModel(result.artifacts[0]!.bytes!);
    const metadata = new Map(graph.metadataProps.map((entry) => [entry.key, entry.value]));
    expect(metadata.get('tierc.weights')).toBe(`checkpoint step-00000020, the best by ${METRIC} (0.9) of its run`);
  });
});
