import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aurocTable } from '../../src/eval/index.js';
import {
  appendMetrics,
  loadRunDirectory,
  writeEvaluation,
  writeHeatmapInputs,
  writeSettings,
  writeSimilarityInputs,
} from '../../src/report/index.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tierc-write-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('run directory writers', () => {
  it('round-trip through the reader', () => {
    writeSettings(dir, { spec: { name: 'tiny', hash: 'abc' }, seeds: { train: 3 }, data: { synthetic: true }, lambda: 0.1 });
    appendMetrics(dir, { step: 0, clip: 2.5, lr: 1e-4 });
    appendMetrics(dir, { step: 1, clip: Number.NaN, lr: 1e-4 });
    const table = aurocTable({ A: [0.1, 0.4, 0.35, 0.8] }, { A: [0, 0, 1, 1] });
    writeEvaluation(dir, [{ name: 'tiny', table }]);
    const patches = { data: Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => i / 10), shape: [2, 4, 3] };
    writeHeatmapInputs(dir, { patches, prompts: { A: [1, 0, 0], 'No Finding': [0, 1, 0] }, reference: 'No Finding', images: [{ id: 'x' }, { id: 'y' }] });
    writeSimilarityInputs(dir, '[CLS]', [{ name: 'tiny', similarity: { data: Float32Array.from([0.5, 0.1, 0.2, 0.3]), shape: [1, 4] } }]);

    const run = loadRunDirectory(dir);
    expect(run.warnings).toEqual([]);
    expect(run.settings.specHash).toBe('abc');
    expect(run.settings.other).toEqual({ lambda: 0.1 });
    expect(run.metrics?.[1]?.values.clip).toBeNaN();
    expect(run.evaluations?.[0]?.table.rows[0]?.auroc).toBe(0.75);
    expect(Array.from(run.heatmaps?.patches.data ?? [])).toEqual(Array.from(patches.data));
    expect(run.heatmaps?.labels).toEqual(['A']);
    expect(run.similarity?.models[0]?.similarity.shape).toEqual([1, 4]);
    expect(readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')).toContain('"clip":null');
  });

  it('rejects an image count mismatch', () => {
    const patches = { data: new Float32Array(4 * 3), shape: [1, 4, 3] };
    expect(() => writeHeatmapInputs(dir, { patches, prompts: { A: [1, 0, 0] }, images: [] })).toThrow(/0 images but the patches have shape \[1, 4, 3\]/);
  });
});
