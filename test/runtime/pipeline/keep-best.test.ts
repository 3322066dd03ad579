// Evaluation during training and "keep best K by eval.NAME.METRIC" on the tiny pipeline spec.
// Each checkpoint gets a row of validation metrics in metrics.jsonl and in its state.json. The
// best K by the metric (lower loss, higher AUROC) stay with the newest one, and an unknown metric
// is a diagnostic on the checkpoint line. Also covers the failures of the
// run folder: checkpoints that cannot be written and a full disk.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../../src/compile.js';
import { generatePhantom } from '../../../src/data/index.js';
import { nodeHost } from '../../../src/driver/index.js';
import { loadSpecPlan, PipelineError, trainSpec } from '../../../src/pipeline/index.js';
import { loadCheckpoint } from '../../../src/runtime/checkpoint.js';
import { TrainingError } from '../../../src/runtime/errors.js';

function tempDir(name: string): string {
  mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
  return mkdtempSync(join(process.cwd(), 'test', '.tmp', `${name}-`));
}

type Row = Record<string, unknown> & { step: number };

function evalRows(runDir: string): Row[] {
  const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Row);
  return lines.filter((row) => row.split !== undefined);
}

function folder(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/** Returns the diagnostic of a rejected call. */
async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string; line: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PipelineError) {
      const diagnostic = error.diagnostics[0]!;
      return { code: diagnostic.code, message: diagnostic.message, line: diagnostic.span?.start.line };
    }
    if (error instanceof TrainingError) return { code: error.diagnostic.code, message: error.message, line: error.diagnostic.span?.start.line };
    throw error;
  }
  throw new Error('training was expected to fail');
}

describe('keep best checkpoints by an eval metric', () => {
  let dir: string;
  let source: string;

  /** Writes a variant of tiny.tier with another checkpoint setting and returns its plan. */
  const variant = (name: string, checkpoint: string) => {
    writeFileSync(join(dir, `${name}.tier`), source.replace('checkpoint: every 2 steps, keep last 2', `checkpoint: ${checkpoint}`).replace('duration: 3 steps', 'duration: 4 steps'));
    return loadSpecPlan(`${name}.tier`, { cwd: dir });
  };
  const checkpointLine = () => source.split('\n').findIndex((line) => line.includes('checkpoint: every 2 steps')) + 1;

  beforeAll(async () => {
    dir = tempDir('keepbest');
    await generatePhantom({ outDir: join(dir, 'phantom'), n: 48, size: 64, seed: 3 });
    copyFileSync(join(process.cwd(), 'test', 'fixtures', 'pipeline', 'tiny.tier'), join(dir, 'tiny.tier'));
    source = readFileSync(join(dir, 'tiny.tier'), 'utf8');
  });

  it('keeps the lowest validation losses and the newest', async () => {
    const plan = variant('by_loss', 'every 1 step, keep best 2 by eval.tiny_test.loss');
    const runDir = join(dir, 'runs', 'loss');
    await trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0 });
    const rows = evalRows(runDir);
    expect(rows.map((row) => row.step)).toEqual([1, 2, 3, 4]);
    for (const row of rows) {
      expect(row).toMatchObject({ split: 'test', eval: 'tiny_test' });
      expect(Number.isFinite(row['loss/clip'])).toBe(true);
      expect(Number.isFinite(row['loss/words'])).toBe(true);
      // The total weights the terms as training does: clip by 1, words by lambda_words 0.1.
      expect(row.loss as number).toBeCloseTo((row['loss/clip'] as number) + 0.1 * (row['loss/words'] as number), 6);
    }
    const best = [...rows].sort((a, b) => (a.loss as number) - (b.loss as number)).slice(0, 2).map((row) => row.step);
    const kept = [...new Set([...best, 4])].sort((a, b) => a - b).map(folder);
    expect(readdirSync(join(runDir, 'checkpoints'))).toEqual(kept);
    for (const name of kept) {
      const state = JSON.parse(readFileSync(join(runDir, 'checkpoints', name, 'state.json'), 'utf8')) as { step: number; metrics: Record<string, number> };
      const row = rows.find((entry) => entry.step === state.step)!;
      expect(state.metrics['eval.tiny_test.loss']).toBe(row.loss);
      expect(state.metrics['eval.tiny_test.loss_clip']).toBe(row['loss/clip']);
    }
  }, 240_000);

  it('keeps the highest AUROC and the newest', async () => {
    const plan = variant('by_auroc', 'every 1 step, keep best 1 by eval.tiny_test.mean_auroc');
    const runDir = join(dir, 'runs', 'auroc');
    await trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0 });
    const rows = evalRows(runDir);
    expect(rows.map((row) => row.step)).toEqual([1, 2, 3, 4]);
    const scored = rows.filter((row) => typeof row.mean_auroc === 'number');
    for (const row of scored) {
      expect(row.mean_auroc).toBeGreaterThanOrEqual(0);
      expect(row.mean_auroc).toBeLessThanOrEqual(1);
    }
    // Higher is better; among ties the earliest stays. A step without an AUROC is not ranked.
    const best = scored.reduce<Row | undefined>((a, b) => (a === undefined || (b.mean_auroc as number) > (a.mean_auroc as number) ? b : a), undefined);
    const kept = [...new Set([...(best ? [best.step] : []), 4])].sort((a, b) => a - b).map(folder);
    expect(readdirSync(join(runDir, 'checkpoints'))).toEqual(kept);
  }, 240_000);

  it('evaluates an eval block on another data block', async () => {
    // A second data block over the same files, as a spec with a separate validation set has.
    const dataBlock = source.slice(source.indexOf('data phantom {'), source.indexOf('preprocess {'));
    const text = source
      .replace('checkpoint: every 2 steps, keep last 2', 'checkpoint: every 2 steps, keep best 1 by eval.tiny_test.loss')
      .replace('data: phantom.test', 'data: held_out.test')
      .concat('\n', dataBlock.replace('data phantom {', 'data held_out {'));
    writeFileSync(join(dir, 'other_data.tier'), text);
    const plan = loadSpecPlan('other_data.tier', { cwd: dir });
    const runDir = join(dir, 'runs', 'other-data');
    await trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0 });
    const rows = evalRows(runDir);
    expect(rows.map((row) => [row.step, row.eval, row.split])).toEqual([[2, 'tiny_test', 'test'], [3, 'tiny_test', 'test']]);
    expect(rows.every((row) => Number.isFinite(row.loss))).toBe(true);
  }, 120_000);

  it('reports an unknown metric on the checkpoint line', async () => {
    const plan = variant('unknown_metric', 'every 1 step, keep best 1 by eval.tiny_test.auroc');
    const { code, message, line } = await rejection(trainSpec(plan, { cwd: dir, outDir: join(dir, 'runs', 'unknown'), workers: 0 }));
    expect(code).toBe('TIER8006');
    expect(line).toBe(checkpointLine());
    expect(message).toBe("Eval block 'tiny_test' has no metric 'auroc'; its metrics are 'loss', 'loss_clip', 'loss_words', 'mean_auroc'.");
    expect(existsSync(join(dir, 'runs', 'unknown'))).toBe(false);

    const compiled = await compile({ entry: 'unknown_metric.tier', host: nodeHost(dir), cwd: dir }, { target: 'tfjs' });
    expect(compiled.ok).toBe(false);
    expect(compiled.artifacts).toEqual([]);
    expect(compiled.diagnostics.map((d) => [d.code, d.span?.start.line])).toEqual([['TIER8006', checkpointLine()]]);
  });

  it('suggests a close metric name', async () => {
    const plan = variant('typo_metric', 'every 1 step, keep best 1 by eval.tiny_test.mean_aurc');
    const { code, message } = await rejection(trainSpec(plan, { cwd: dir, outDir: join(dir, 'runs', 'typo'), workers: 0 }));
    expect(code).toBe('TIER8006');
    expect(message).toBe("Eval block 'tiny_test' has no metric 'mean_aurc'; its metrics are 'loss', 'loss_clip', 'loss_words', 'mean_auroc'. Did you mean 'mean_auroc'?");
  });

  it('reports an unknown eval block when checking', async () => {
    const error = (() => {
      try {
        variant('unknown_eval', 'every 1 step, keep best 1 by eval.tiny_valid.loss');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PipelineError);
    const diagnostic = (error as PipelineError).diagnostics[0]!;
    expect(diagnostic.message).toContain("'tiny_valid' is not declared");
    expect(diagnostic.span?.file).toBe('unknown_eval.tier');
  });

  it('reports a checkpoint folder that cannot be created', async () => {
    const plan = loadSpecPlan('tiny.tier', { cwd: dir });
    const runDir = join(dir, 'runs', 'blocked');
    mkdirSync(runDir, { recursive: true });
    // A file where the checkpoint folder goes blocks it even for root.
    writeFileSync(join(runDir, 'checkpoints'), 'not a folder\n');
    const { code, message } = await rejection(trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0 }));
    expect(code).toBe('TIER6003');
    expect(message).toContain(`The checkpoint directory '${join(runDir, 'checkpoints')}' cannot be written`);
    expect(readFileSync(join(runDir, 'checkpoints'), 'utf8')).toBe('not a folder\n');
  });

  it('rejects a batch size of 0', async () => {
    const plan = loadSpecPlan('tiny.tier', { cwd: dir });
    const { code, message } = await rejection(trainSpec(plan, { cwd: dir, outDir: join(dir, 'runs', 'batch0'), workers: 0, batch: 0 }));
    expect(code).toBe('TIER6013');
    expect(message).toBe('The batch size must be a whole number of at least 1, got 0.');
    expect(existsSync(join(dir, 'runs', 'batch0'))).toBe(false);
  });

  it('reports a metrics file that cannot be written', async () => {
    const plan = loadSpecPlan('tiny.tier', { cwd: dir });
    const runDir = join(dir, 'runs', 'metrics-folder');
    mkdirSync(join(runDir, 'metrics.jsonl'), { recursive: true });
    const { code, message } = await rejection(trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0 }));
    expect(code).toBe('TIER6018');
    expect(message).toContain(`Opening the metrics file '${join(runDir, 'metrics.jsonl')}' failed: EISDIR`);
    expect(readdirSync(join(runDir, 'checkpoints'))).toEqual([]);
  });

  it('keeps earlier checkpoints when the disk fills up', async () => {
    const plan = loadSpecPlan('tiny.tier', { cwd: dir });
    const runDir = join(dir, 'runs', 'diskfull');
    let writes = 0;
    // The first checkpoint (3 files) is written; the second fails halfway through its first file.
    const writer = {
      writeFile(path: string, data: Uint8Array) {
        writes += 1;
        if (writes > 3) {
          writeFileSync(path, data.subarray(0, Math.floor(data.length / 2)));
          throw new Error('ENOSPC: no space left on device, write');
        }
        writeFileSync(path, data);
      },
    };
    const { code, message } = await rejection(trainSpec(plan, { cwd: dir, outDir: runDir, workers: 0, checkpointWriter: writer }));
    expect(code).toBe('TIER6004');
    expect(message).toContain(`Writing checkpoint '${join(runDir, 'checkpoints', 'step-00000003')}' failed: ENOSPC`);
    expect(message).toContain('The previous checkpoints are unchanged.');
    // No temporary folder is left, and the checkpoint at step 2 still loads.
    expect(readdirSync(join(runDir, 'checkpoints'))).toEqual(['step-00000002']);
    const state = JSON.parse(readFileSync(join(runDir, 'checkpoints', 'step-00000002', 'state.json'), 'utf8')) as { specHash: string; step: number };
    expect(loadCheckpoint(join(runDir, 'checkpoints', 'step-00000002'), state.specHash).state.step).toBe(2);
  }, 120_000);
});
