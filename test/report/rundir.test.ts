import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvalError } from '../../src/eval/index.js';
import { loadRunDirectory, parseMetricsJsonl } from '../../src/report/index.js';
import { evaluationsFromJson } from '../../src/report/scores.js';
import { writeFixtureRun } from './fixture-run.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tierc-run-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function issueOf(action: () => unknown): EvalError['issue'] {
  try {
    action();
  } catch (error) {
    if (error instanceof EvalError) return error.issue;
    throw error;
  }
  throw new Error('expected an EvalError');
}

describe('run directory', () => {
  it('loads every file of the fixture', async () => {
    const images = await writeFixtureRun(dir);
    const run = loadRunDirectory(dir);
    expect(run.settings.specName).toBe('tier_phantom');
    expect(run.settings.seeds).toEqual({ train: 1, data: 7 });
    expect(run.settings.data.synthetic).toBe(true);
    expect(run.settings.other).toEqual({ lambda: { words: 0.1, regions: 0.1 }, optimizer: { kind: 'adam', lr: 0.0005, betas: [0.9, 0.999] } });
    // 300 training lines and 3 evaluation lines.
    expect(run.metrics).toHaveLength(303);
    expect(run.metrics?.filter((record) => record.split === 'validate')).toHaveLength(3);
    expect(run.heatmaps?.model).toBe('TIER (λ = 0.1)');
    expect(run.similarity?.models.map((model) => model.temperature)).toEqual([0.1, undefined]);
    expect(run.evaluations?.map((entry) => entry.name)).toEqual(['TIER (λ = 0.1)', 'baseline (λ = 0)']);
    expect(run.heatmaps?.patches.shape).toEqual([images, 49, 16]);
    expect(run.heatmaps?.labels).toEqual(['Cardiomegaly', 'Pleural Effusion']);
    expect(run.similarity?.models[0]?.similarity.shape).toEqual([images, 49]);
    expect(run.warnings).toEqual([]);
  });

  it('warns about absent optional files', () => {
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ spec: { name: 'm' } }));
    const run = loadRunDirectory(dir);
    expect(run.metrics).toBeNull();
    expect(run.warnings.map((warning) => path.basename(warning.file ?? ''))).toEqual(['metrics.jsonl', 'eval.json', 'heatmaps.json', 'similarity.json']);
    expect(run.warnings.every((warning) => warning.code === 'TIER7034')).toBe(true);
  });

  it('requires settings.json', () => {
    expect(issueOf(() => loadRunDirectory(dir)).code).toBe('TIER7031');
  });

  it('requires a spec name', () => {
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ spec: {} }));
    const issue = issueOf(() => loadRunDirectory(dir));
    expect(issue.code).toBe('TIER7032');
    expect(issue.location).toBe('spec.name');
  });

  it('rejects paths outside the run', async () => {
    await writeFixtureRun(dir);
    const heatmaps = path.join(dir, 'heatmaps.json');
    const json = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(heatmaps, 'utf8')));
    json.images[0].image = '../../etc/passwd';
    writeFileSync(heatmaps, JSON.stringify(json));
    const issue = issueOf(() => loadRunDirectory(dir));
    expect(issue.code).toBe('TIER7037');
    expect(issue.location).toBe('images[0].image');
  });

  it('checks tensor file sizes', async () => {
    await writeFixtureRun(dir);
    writeFileSync(path.join(dir, 'heatmaps', 'patches.f32'), Buffer.alloc(12));
    const issue = issueOf(() => loadRunDirectory(dir));
    expect(issue.code).toBe('TIER7033');
    expect(issue.message).toContain('has 12 bytes');
  });
});

describe('metrics.jsonl', () => {
  it('reads steps, terms and splits', () => {
    const records = parseMetricsJsonl('{"step": 1, "loss": 2.5, "lr": 0.001, "epoch": 0}\n\n{"step": 2, "split": "val", "loss": null}\n', 'm.jsonl');
    expect(records).toEqual([
      { step: 1, values: { loss: 2.5, lr: 0.001 } },
      { step: 2, values: { 'val/loss': Number.NaN }, split: 'val' },
    ]);
  });

  it('names the line of a bad record', () => {
    const issue = issueOf(() => parseMetricsJsonl('{"step": 1, "loss": 1}\n{"loss": 2}\n', 'm.jsonl'));
    expect(issue.location).toBe('line 2');
    expect(issue.message).toContain("'step'");
    expect(issueOf(() => parseMetricsJsonl('{"step": 1,\n', 'm.jsonl')).location).toBe('line 1');
  });
});

// The optional `checkpoints` list of eval.json, which `tierc eval` writes.
const emptyTable = { rows: [], macro: { auroc: null, undefinedLabels: [] }, bootstrap: null, warnings: [] };

describe('eval.json checkpoints', () => {
  it('reads the scored checkpoints', () => {
    const checkpoints = [{ name: 'step-00000002', step: 2, choice: 'newest' }, { name: 'weights.safetensors', step: null }];
    const [entry] = evaluationsFromJson({ format: 'tierc-auroc-v1', name: 'tiny', table: emptyTable, checkpoints }, 'eval.json');
    expect(entry!.name).toBe('tiny');
    expect(entry!.checkpoints).toEqual(checkpoints);
  });

  it('leaves them out when absent', () => {
    const [entry] = evaluationsFromJson({ format: 'tierc-auroc-v1', name: 'tiny', table: emptyTable }, 'eval.json');
    expect(entry!.checkpoints).toBeUndefined();
  });

  it('rejects a non-array', () => {
    const issue = issueOf(() => evaluationsFromJson({ format: 'tierc-auroc-v1', table: emptyTable, checkpoints: 'step-00000002' }, 'eval.json'));
    expect(issue.code).toBe('TIER7030');
    expect(issue.file).toBe('eval.json');
    expect(issue.location).toBe('checkpoints');
  });

  it('rejects a fractional step', () => {
    const issue = issueOf(() => evaluationsFromJson({ models: [{ format: 'tierc-auroc-v1', name: 'a', table: emptyTable, checkpoints: [{ name: 'x', step: 1.5 }] }] }, 'eval.json'));
    expect(issue.code).toBe('TIER7030');
    expect(issue.location).toBe('models[0].checkpoints[0].step');
  });
});
