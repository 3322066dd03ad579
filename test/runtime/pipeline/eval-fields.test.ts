// `tierc eval` on a tiny run trained on the phantom records what the demo's report path records:
// the similarity temperature and the model name of the heatmaps. eval.json names the scored
// checkpoint (folder and step), and `tierc report` shows both instead of "not recorded".
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/run.js';
import { generatePhantom } from '../../../src/data/index.js';
import { captureIo } from '../../cli/capture.js';

let dir: string;

async function tierc(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo(dir);
  const code = await run(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
}

beforeAll(async () => {
  mkdirSync(join(process.cwd(), 'test', '.tmp'), { recursive: true });
  dir = mkdtempSync(join(process.cwd(), 'test', '.tmp', 'eval-fields-'));
  await generatePhantom({ outDir: join(dir, 'phantom'), n: 48, size: 64, seed: 3 });
  // The fixture divides its cosines by 0.1: `let sim = tokens . patches / 0.1`.
  copyFileSync(join(process.cwd(), 'test', 'fixtures', 'pipeline', 'tiny.tier'), join(dir, 'tiny.tier'));
  const trained = await tierc('train', 'tiny.tier', '--steps', '2', '--batch', '4', '--backend', 'cpu', '--out', 'run');
  expect(trained.stderr).not.toContain('error');
  expect(trained.code).toBe(0);
  const evaluated = await tierc('eval', 'tiny.tier', '--weights', 'run', '--backend', 'cpu');
  expect(evaluated.stderr).not.toContain('error');
  expect(evaluated.code).toBe(0);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('eval output fields', () => {
  it('records the similarity temperature', () => {
    const similarity = readJson(join('run', 'similarity.json')) as { models: { name: string; temperature?: number }[] };
    expect(similarity.models).toHaveLength(1);
    expect(similarity.models[0]!.name).toBe('tiny');
    expect(similarity.models[0]!.temperature).toBe(0.1);
  });

  it('records the heatmaps model', () => {
    expect(readJson(join('run', 'heatmaps.json')).model).toBe('tiny');
  });

  it('records the scored checkpoint', () => {
    const evaluation = readJson(join('run', 'eval.json'));
    expect(evaluation.name).toBe('tiny');
    expect(evaluation.checkpoints).toEqual([{ name: 'step-00000002', step: 2, choice: 'newest' }]);
  });

  it('report shows temperature and checkpoint', async () => {
    const reported = await tierc('report', '--run', 'run', '-o', 'report.html');
    expect(reported.stderr).not.toContain('error');
    expect(reported.code).toBe(0);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('Scored checkpoint: <code>step-00000002</code> (step 2, the newest checkpoint of its run).');
    expect(html).toMatch(/<table class="entropy">.*<tr><th>tiny<\/th><td class="num">0\.1<\/td>/);
    expect(html).not.toContain('not recorded');
    expect(html).toContain('Heatmaps and localization of <strong>tiny</strong> only.');
  });
});
