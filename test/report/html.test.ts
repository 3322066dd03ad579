import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type BuiltReport } from '../../src/report/index.js';
import { curvesTitle } from '../../src/report/figures.js';
import { parseMetricsJsonl } from '../../src/report/rundir.js';
import { writeFixtureRun } from './fixture-run.js';

let dir: string;
let report: BuiltReport;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tierc-report-'));
  await writeFixtureRun(dir);
  report = await buildReport(dir);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('report page', () => {
  it('has every section', () => {
    expect(report.sections).toEqual(['Run settings', 'Zero-shot AUROC', 'Training curves', 'Zero-shot heatmaps', 'Rank-ordered similarities']);
  });

  it('is self-contained', () => {
    // Every src, href and CSS url() is a data URI; nothing points at a network or a file.
    const references = [...report.html.matchAll(/(?:src|href)="([^"]*)"|url\(([^)]*)\)/g)].map((match) => match[1] ?? match[2] ?? '');
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) expect(reference.startsWith('data:image/png;base64,')).toBe(true);
    expect(report.html).toContain("default-src 'none'");
  });

  it('inlines every picture', () => {
    // Curves, rank chart, and 3 overlays for each of two labels.
    expect(report.html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(8);
  });

  it('marks synthetic data', () => {
    expect(report.html).toContain('<strong>Synthetic data.</strong>');
    expect(report.html).toContain('chest x-ray phantom');
  });

  it('shows undefined AUROC as such', () => {
    expect(report.html).toContain('undefined: only negatives are present (0 positives, 40 negatives)');
    expect(report.html).toContain('leaves out Nodule');
  });

  it('shows the run settings', () => {
    for (const text of ['tier_phantom', 'sha256:3f2a9c', 'tfjs-cpu', 'seed (train)', '300']) expect(report.html).toContain(text);
  });

  it('renders settings objects as text', () => {
    expect(report.html).toContain('<th>lambda</th><td><code>words 0.1, regions 0.1</code></td>');
    expect(report.html).toContain('<th>optimizer</th><td><code>adam: lr 0.0005, betas (0.9, 0.999)</code></td>');
  });

  it('counts training steps apart from evaluations', () => {
    // 300 training lines (steps 0 to 299) and 3 evaluation lines at steps 99, 199, 299.
    expect(curvesTitle(parseMetricsJsonl(readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8'), 'metrics.jsonl'))).toBe('Training curves (300 training steps, 3 evaluations)');
  });

  it('names the heatmap model', () => {
    expect(report.html).toContain('Heatmaps and localization of <strong>TIER (λ = 0.1)</strong> only.');
    expect(report.html).toContain('<h3>Localization of TIER (λ = 0.1)</h3>');
  });

  it('shows each entropy temperature', () => {
    expect(report.html).toContain('<tr><th>TIER (λ = 0.1)</th><td class="num">0.1</td>');
    expect(report.html).toContain('<tr><th>baseline (λ = 0)</th><td class="num">not recorded</td>');
    expect(report.html).not.toContain('temperature 1, ε');
  });

  it('has localization and entropy tables', () => {
    expect(report.html).toContain('<table class="localization">');
    expect(report.html).toContain('<table class="entropy">');
    // ln 49 for the uniform column.
    expect(report.html).toContain(Math.log(49).toFixed(4));
  });
});
