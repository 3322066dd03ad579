// `tierc eval --scores` file keys and label policy, and `tierc report` on a missing run folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { captureIo } from './capture.js';

const folder = mkdtempSync(join(tmpdir(), 'tierc-eval-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Writes a scores file with one label: positives score above negatives except one pair. */
function scoresFile(name: string, extra: Record<string, unknown> = {}): string {
  const file = join(folder, name);
  const labels = { A: [1, 1, 1, 0, 0, 0, null, null] };
  const scores = { A: [0.9, 0.8, 0.3, 0.4, 0.2, 0.1, 0.05, 0.95] };
  writeFileSync(file, JSON.stringify({ labels, scores, ...extra }));
  return file;
}

interface Table {
  rows: Array<{ label: string; positives: number; negatives: number; excluded: number; auroc: number | null; ci?: { lower: number; upper: number } | null }>;
  bootstrap: { resamples: number; confidence: number } | null;
}

async function evaluate(args: string[]): Promise<{ code: number; table: Table | undefined; err: string }> {
  const io = captureIo(folder);
  const code = await run(['eval', '--json', ...args], io);
  const out = io.out.join('');
  return { code, table: out === '' ? undefined : (JSON.parse(out) as { table: Table }).table, err: io.err.join('') };
}

describe('eval --scores file', () => {
  it('takes bootstrap as a number of resamples', async () => {
    const { code, table } = await evaluate(['--scores', scoresFile('count.json', { bootstrap: 100 })]);
    expect(code).toBe(0);
    expect(table!.bootstrap?.resamples).toBe(100);
    expect(table!.rows[0]!.ci).toBeDefined();
  });

  it('turns intervals off with bootstrap 0', async () => {
    const { table } = await evaluate(['--scores', scoresFile('off.json', { bootstrap: 0 })]);
    expect(table!.bootstrap).toBeNull();
  });

  it('lets --bootstrap override the file', async () => {
    const { table } = await evaluate(['--scores', scoresFile('override.json', { bootstrap: { resamples: 50, confidence: 0.9 } }), '--bootstrap', '60']);
    expect(table!.bootstrap?.resamples).toBe(60);
    expect(table!.bootstrap?.confidence).toBe(0.9);
  });

  it('rejects an unknown bootstrap key', async () => {
    const { code, err } = await evaluate(['--scores', scoresFile('typo.json', { bootstrap: { resample: 100 } })]);
    expect(code).toBe(1);
    expect(err).toContain("Unknown key 'resample'");
    expect(err).toContain("'resamples', 'seed', 'confidence', 'strategy'");
  });

  it('rejects an unknown policy key', async () => {
    const { code, err } = await evaluate(['--scores', scoresFile('policy-typo.json', { policy: { blnak: 'ignore' } })]);
    expect(code).toBe(1);
    expect(err).toContain("Unknown key 'blnak'");
  });

  it('rejects --seed without intervals', async () => {
    const { code, err } = await evaluate(['--scores', scoresFile('seed.json'), '--seed', '3']);
    expect(code).toBe(2);
    expect(err).toContain('--seed sets the bootstrap intervals, which are off');
  });

  it('lists the file keys in --help', async () => {
    const io = captureIo(folder);
    expect(await run(['eval', '--help'], io)).toBe(0);
    const help = io.out.join('');
    for (const key of ['"labels"', '"scores"', '"policy"', '"bootstrap"', '"resamples"', '"confidence"', '"strategy"', '"masked"']) expect(help).toContain(key);
  });
});

describe('blank label cells', () => {
  it('count as negative in eval by default', async () => {
    const { table } = await evaluate(['--scores', scoresFile('blank.json')]);
    expect(table!.rows[0]!.positives).toBe(3);
    expect(table!.rows[0]!.negatives).toBe(5);
    expect(table!.rows[0]!.excluded).toBe(0);
  });

  it('are left out with --blank ignore', async () => {
    const { table } = await evaluate(['--scores', scoresFile('ignore.json'), '--blank', 'ignore']);
    expect(table!.rows[0]!.negatives).toBe(3);
    expect(table!.rows[0]!.excluded).toBe(2);
  });

  it('follow the file policy before the default', async () => {
    const { table } = await evaluate(['--scores', scoresFile('file-policy.json', { policy: { blank: 'ignore' } })]);
    expect(table!.rows[0]!.excluded).toBe(2);
  });

  it('default to negative in data check too', async () => {
    const io = captureIo(folder);
    await run(['data', 'check', '--help'], io);
    const help = io.out.join('').replace(/\s+/g, ' ');
    expect(help).toContain('what a blank label cell counts as: negative (the report does not mention the finding) or ignore (left out)');
    expect(help).toContain('default: "negative"');
  });
});

describe('report run folder', () => {
  it('says a missing folder does not exist', async () => {
    const io = captureIo(folder);
    const code = await run(['report', '--run', 'no-such-run', '-o', 'report.html'], io);
    expect(code).toBe(1);
    expect(io.err.join('')).toContain(`The run folder '${join(folder, 'no-such-run')}' does not exist`);
    expect(io.err.join('')).not.toContain('settings.json');
  });

  it('says a file is not a folder', async () => {
    writeFileSync(join(folder, 'a-file'), 'x');
    const io = captureIo(folder);
    expect(await run(['report', '--run', 'a-file', '-o', 'report.html'], io)).toBe(1);
    expect(io.err.join('')).toContain('is a file, not a folder');
  });

  it('still names settings.json in an empty folder', async () => {
    mkdirSync(join(folder, 'empty-run'));
    const io = captureIo(folder);
    expect(await run(['report', '--run', 'empty-run', '-o', 'report.html'], io)).toBe(1);
    expect(io.err.join('')).toContain('settings.json');
  });
});

describe('eval with a spec', () => {
  it('rejects options of scores files', async () => {
    const io = captureIo(folder);
    const code = await run(['eval', 'spec.tier', '--weights', 'run', '--blank', 'ignore', '--seed', '2'], io);
    expect(code).toBe(2);
    expect(io.err.join('')).toContain('--seed, --blank apply to --scores files only');
  });
});
