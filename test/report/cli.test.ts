import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { writeFixtureRun } from './fixture-run.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tierc-cli-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function tierc(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), cwd: dir, env: {}, isTTY: false };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

function writeScores(value: unknown): string {
  writeFileSync(path.join(dir, 'scores.json'), JSON.stringify(value));
  return 'scores.json';
}

describe('tierc eval', () => {
  const example = { labels: { Edema: [0, 0, 1, 1], Nodule: [0, 0, 0, 0] }, scores: { Edema: [0.1, 0.4, 0.35, 0.8], Nodule: [0.1, 0.2, 0.3, 0.4] } };

  it('prints the AUROC table', async () => {
    const result = await tierc('eval', '--scores', writeScores(example));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Edema\s+2\s+2\s+0\s+0\.750$/m);
    expect(result.stdout).toContain('undefined: only negatives are present (0 positives, 4 negatives)');
    expect(result.stdout).toMatch(/^macro mean \(1 labels\)\s+0\.750$/m);
    expect(result.stderr).toContain('[TIER7003]');
  });

  it('writes JSON with intervals', async () => {
    const result = await tierc('eval', '--scores', writeScores(example), '--json', '--bootstrap', '100', '--seed', '3', '-o', 'out.json');
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.format).toBe('tierc-auroc-v1');
    expect(printed.table.rows[0].auroc).toBe(0.75);
    expect(printed.table.rows[0].ci.resamples).toBe(100);
    expect(printed.table.rows[1].auroc).toBeNull();
    expect(printed.table.rows[1].reason).toBe('no-positives');
    expect(JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8'))).toEqual(printed);
  });

  it('ensembles several score files', async () => {
    writeFileSync(path.join(dir, 'a.json'), JSON.stringify({ labels: { A: [0, 1, 1] }, scores: { A: [0.2, 0.1, 0.9] } }));
    writeFileSync(path.join(dir, 'b.json'), JSON.stringify({ labels: { A: [0, 1, 1] }, scores: { A: [0.4, 0.9, 0.1] } }));
    const result = await tierc('eval', '--scores', 'a.json', 'b.json', '--json');
    // Means 0.3, 0.5, 0.5: both positives beat the negative.
    expect(JSON.parse(result.stdout).table.rows[0].auroc).toBe(1);
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ labels: { A: [0, 1, 0] }, scores: { A: [0.4, 0.9, 0.1] } }));
    const mismatch = await tierc('eval', '--scores', 'a.json', 'c.json');
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('c.json: labels.A: The labels differ');
    expect(mismatch.stderr).toContain('[TIER7015]');
  });

  it('applies the uncertain policy', async () => {
    const result = await tierc('eval', '--scores', writeScores({ labels: { A: [0, -1, 1] }, scores: { A: [0.2, 0.9, 0.5] } }), '--uncertain', 'negative', '--json');
    expect(JSON.parse(result.stdout).table.rows[0].auroc).toBe(0.5);
  });

  it('names the bad value', async () => {
    const result = await tierc('eval', '--scores', writeScores({ labels: { A: [0, 2] }, scores: { A: [0.1, 0.2] } }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('scores.json: labels.A[1]: Label value 2 is not 1, 0, -1 or blank');
    expect(result.stderr).toContain('[TIER7002]');
  });

  it('reports invalid JSON', async () => {
    writeFileSync(path.join(dir, 'broken.json'), '{"labels": ');
    const result = await tierc('eval', '--scores', 'broken.json');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not valid JSON');
    expect(result.stderr).toContain('[TIER7030]');
  });

  it('requires a scores file', async () => {
    const result = await tierc('eval');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--scores FILE.json');
  });

  it('rejects a bad bootstrap count', async () => {
    const result = await tierc('eval', '--scores', writeScores(example), '--bootstrap', 'many');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("option '--bootstrap <n>' argument 'many' is invalid. Expected a whole number of at least 0.");
  });
});

describe('tierc report', () => {
  it('writes the page', async () => {
    await writeFixtureRun(path.join(dir, 'run'), { withMetrics: false });
    const result = await tierc('report', '--run', 'run', '-o', 'report.html');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Wrote report\.html \(\d+ KiB\): Run settings, Zero-shot AUROC, Zero-shot heatmaps, Rank-ordered similarities, Left out\.$/m);
    expect(result.stderr).toContain('metrics.jsonl: The file is absent, so the report has no training curves. [TIER7034]');
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toContain('<!DOCTYPE html>');
  });

  it('reads the output of tierc eval', async () => {
    await writeFixtureRun(path.join(dir, 'run'));
    writeFileSync(path.join(dir, 'scores.json'), JSON.stringify({ labels: { Edema: [0, 0, 1, 1] }, scores: { Edema: [0.1, 0.4, 0.35, 0.8] } }));
    expect((await tierc('eval', '--scores', 'scores.json', '-o', 'run/eval.json')).code).toBe(0);
    expect((await tierc('report', '--run', 'run', '-o', 'report.html')).code).toBe(0);
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<th>scores.json</th>');
    expect(html).toContain('0.750');
  });

  it('fails without settings', async () => {
    const result = await tierc('report', '--run', '.', '-o', 'report.html');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[TIER7031]');
    expect(existsSync(path.join(dir, 'report.html'))).toBe(false);
  });
});
