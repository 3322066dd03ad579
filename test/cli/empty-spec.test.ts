// A spec that declares nothing: `check` warns and passes, and the commands that need a model
// (compile, train, data check) exit 1 with a message naming the file and write nothing.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { captureIo } from './capture.js';

const folder = mkdtempSync(join(tmpdir(), 'tierc-empty-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

writeFileSync(join(folder, 'empty.tier'), '');
writeFileSync(join(folder, 'comment.tier'), '// nothing yet\n\n');
writeFileSync(join(folder, 'broken.tier'), 'model m {\n  let x = (\n}\n');

const NO_MODEL = "'empty.tier' declares no model, so there is nothing to build; add a model block or import a file that declares one.";

describe('check empty spec', () => {
  it.each(['empty.tier', 'comment.tier'])('warns on %s', async (file) => {
    const io = captureIo(folder);
    expect(await run(['check', '--json', file], io)).toBe(0);
    const diagnostics = JSON.parse(io.out.join('')) as Array<{ code: string; severity: string; message: string; span: { start: { line: number } } }>;
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.code).toBe('TIER2014');
    expect(diagnostics[0]!.severity).toBe('warning');
    expect(diagnostics[0]!.message).toBe(`'${file}' declares no model, data, train, eval or export block.`);
    expect(diagnostics[0]!.span.start.line).toBe(1);
  });

  it('stays silent after a syntax error', async () => {
    const io = captureIo(folder);
    expect(await run(['check', '--json', 'broken.tier'], io)).toBe(1);
    const codes = (JSON.parse(io.out.join('')) as Array<{ code: string }>).map((diagnostic) => diagnostic.code);
    expect(codes).toEqual(['TIER1006']);
  });
});

describe('commands on empty spec', () => {
  it('compile exits 1 and writes nothing', async () => {
    const io = captureIo(folder);
    expect(await run(['compile', 'empty.tier', '--target', 'onnx', '-o', 'out'], io)).toBe(1);
    expect(io.err.join('')).toContain(`tierc compile: ${NO_MODEL}\n`);
    expect(existsSync(join(folder, 'out'))).toBe(false);
  });

  it('compile ir exits 1', async () => {
    const io = captureIo(folder);
    expect(await run(['compile', 'empty.tier', '--target', 'ir'], io)).toBe(1);
    expect(io.out).toEqual([]);
    expect(io.err.join('')).toContain(`tierc compile: ${NO_MODEL}\n`);
  });

  it('train exits 1', async () => {
    const io = captureIo(folder);
    expect(await run(['train', 'empty.tier', '--steps', '1'], io)).toBe(1);
    expect(io.err.join('')).toContain(`tierc train: ${NO_MODEL}\n`);
  });

  it('data check exits 1', async () => {
    const io = captureIo(folder);
    expect(await run(['data', 'check', 'empty.tier'], io)).toBe(1);
    expect(io.err.join('')).toContain(`error TIER2015: ${NO_MODEL}`);
  });
});
