// `tierc explain` and `tierc compile` through the CLI function, and bad input that must end in
// diagnostics: imports outside the spec's folder, symbolic link loops, import cycles, very deep
// expressions, overflowing sizes and axes named like keywords.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';

const root = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'tierc-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function tierc(argv: string[], cwd = root) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd, env: {}, isTTY: false });
  return { code, stdout, stderr };
}

const SMALL = `model m {
  axes { batch; token <= 8; patch = 2 * 2 }
  image encoder = vit(image: 32, patch: 16, width: 8, layers: 1, heads: 2)
  text encoder = bert(layers: 1, width: 8, heads: 2, vocab: 20, max_len: 8)
  head ip = linear(8 -> 4)
  head tp = linear(8 -> 4)
  let sim = normalize(tp(text.tokens), over: dim) . normalize(ip(image.patches), over: dim)
  loss clip = infonce(normalize(ip(image.cls), over: dim), normalize(tp(text.cls), over: dim))
}
`;

function write(relative: string, text: string): string {
  const path = join(scratch, relative);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

describe('tierc explain', () => {
  it('prints JSON with shapes, counts and configs', async () => {
    const result = await tierc(['explain', '--json', '--batch', '4', 'specs/tier_cxr.tier']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    const model = report.models[0];
    expect(model.values.find((value: { name: string }) => value.name === 'sim').shape).toEqual(['batch', 'token', 'patch']);
    expect(model.components.find((c: { name: string }) => c.name === 'image').params).toBe(23_508_032);
    expect(model.components.find((c: { name: string }) => c.name === 'text').params).toBe(108_891_648);
    expect(model.flopSizes).toEqual({ batch: 4, token: 128 });
    expect(report.configs.train[0].optimizer).toEqual({ kind: 'adam', lr: 1e-4, weightDecay: 1e-6, betas: [0.9, 0.999], eps: 1e-8, momentum: 0 });
    expect(report.configs.train[0].defaulted).toContain('schedule');
  });

  it('prints a table with defaults marked', async () => {
    const result = await tierc(['explain', 'specs/tier_cxr.tier']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('23,508,032');
    expect(result.stdout).toContain('max_len: 512*');
    expect(result.stdout).toMatch(/sim\s+f32\[batch, token, patch\]\s+= \[batch, token, 49\]\s+let, line 29/);
  });

  it('exits 2 on a bad --batch', async () => {
    expect((await tierc(['explain', '--batch', '0', 'specs/tier_cxr.tier'])).code).toBe(2);
  });
});

describe('tierc compile', () => {
  const spec = write('compile/small.tier', SMALL);

  it('prints the IR', async () => {
    const result = await tierc(['compile', spec, '--target', 'ir']);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('module m\n')).toBe(true);
  });

  it('writes the TensorFlow.js program', async () => {
    const out = join(scratch, 'compile/tfjs');
    const result = await tierc(['compile', spec, '--target', 'tfjs', '-o', out]);
    expect(result.code).toBe(0);
    expect(existsSync(join(out, 'm/model.js'))).toBe(true);
    expect(existsSync(join(out, 'm/train.js'))).toBe(true);
  });

  it('writes the ONNX graphs of the export block', async () => {
    const withExport = write('compile/export.tier', `${SMALL}\nexport onnx {\n  graphs: [image_tower, similarity_map]\n}\n`);
    const out = join(scratch, 'compile/onnx');
    const result = await tierc(['compile', withExport, '--target', 'onnx', '-o', out]);
    expect(result.code).toBe(0);
    expect(existsSync(join(out, 'm/image_tower.onnx'))).toBe(true);
    expect(existsSync(join(out, 'm/similarity_map.onnx'))).toBe(true);
    expect(existsSync(join(out, 'm/text_tower.onnx'))).toBe(false);
  });

  it('rejects a zero-shot graph without prompts and writes nothing', async () => {
    const withExport = write('compile/zeroshot.tier', `${SMALL}\nexport onnx {\n  graphs: [image_tower, zeroshot]\n}\n`);
    const out = join(scratch, 'compile/zeroshot');
    const result = await tierc(['compile', withExport, '--target', 'onnx', '-o', out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error TIER4008');
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 without a target', async () => {
    expect((await tierc(['compile', spec])).code).toBe(2);
  });
});

describe('bad input ends in diagnostics', () => {
  async function codes(path: string) {
    const result = await tierc(['check', '--format', 'json', path], scratch);
    expect(result.code).toBe(1);
    return (JSON.parse(result.stdout) as Array<{ code: string }>).map((d) => d.code);
  }

  it('rejects an import outside the folder tree', async () => {
    write('outside.tier', 'block b(x) {\n  linear(out: x)\n}\n');
    const spec = write('tree/inner/main.tier', `import "../../outside.tier"\n${SMALL}`);
    expect(await codes(spec)).toEqual(['TIER2006']);
  });

  it('reports a symbolic link loop', async () => {
    mkdirSync(join(scratch, 'loop'), { recursive: true });
    symlinkSync(join(scratch, 'loop/a.tier'), join(scratch, 'loop/b.tier'));
    symlinkSync(join(scratch, 'loop/b.tier'), join(scratch, 'loop/a.tier'));
    const spec = write('loop/main.tier', `import "a.tier"\n${SMALL}`);
    expect(await codes(spec)).toEqual(['TIER2011']);
  });

  it('reports an import cycle', async () => {
    write('cycle/a.tier', 'import "b.tier"\n');
    write('cycle/b.tier', 'import "a.tier"\n');
    const spec = write('cycle/main.tier', `import "a.tier"\n${SMALL}`);
    expect(await codes(spec)).toEqual(['TIER2005']);
  });

  it('reports a 10,000-deep expression', async () => {
    const deep = `${'('.repeat(10_000)}1${')'.repeat(10_000)}`;
    const spec = write('deep.tier', SMALL.replace('loss clip', `let d = ${deep}\n  loss clip`));
    expect(await codes(spec)).toEqual(['TIER1008']);
  });

  it('reports a 10,000-long operator chain', async () => {
    const chain = Array.from({ length: 10_000 }, () => 'sim').join(' + ');
    const spec = write('chain.tier', SMALL.replace('loss clip', `let d = ${chain}\n  loss clip`));
    expect(await codes(spec)).toEqual(['TIER1008']);
  });

  it('reports a size that overflows', async () => {
    const spec = write('overflow.tier', SMALL.replace('patch = 2 * 2', 'patch = 46341 * 46341'));
    expect(await codes(spec)).toEqual(['TIER3011']);
  });

  it('reports an axis named like a keyword', async () => {
    const spec = write('keyword.tier', SMALL.replace('patch = 2 * 2', 'patch = 2 * 2; model'));
    const found = await codes(spec);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((code) => code.startsWith('TIER1'))).toBe(true);
  });

  it('never writes a half-built output', async () => {
    const spec = write('broken.tier', SMALL.replace('over: dim) . normalize', 'over: dim) . mean'));
    const out = join(scratch, 'broken-out');
    const result = await tierc(['compile', spec, '--target', 'ir', '-o', out]);
    expect(result.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(spec, 'utf8')).toContain('. mean');
  });
});
