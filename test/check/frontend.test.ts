import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import type { CliIo } from '../../src/cli/io.js';
import { copyFileSync } from 'node:fs';
import { frontendState, memoryHost, namesPhase, parsePhase, runPhases, type Phase } from '../../src/driver/index.js';
import { makeDiagnostic, type Diagnostic } from '../../src/diagnostics/index.js';

/** Runs only the front-end phases, so later phases (types, lowering) do not affect these tests. */
function check(files: Record<string, string>, root = '/specs/main.tier') {
  const state = frontendState(root, memoryHost(files, '/specs'));
  const { diagnostics } = runPhases(state, [parsePhase, namesPhase]);
  return { diagnostics, program: state.program };
}

function codes(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((diagnostic) => `${diagnostic.span?.file ?? '-'}:${diagnostic.span?.start.line ?? 0} ${diagnostic.code}`);
}

describe('front-end phases', () => {
  it('accepts a spec that imports another file', () => {
    const result = check({
      '/specs/main.tier': 'import "lib/heads.tier"\n\nmodel m(w: 0.1) {\n  loss a = w * x\n}\n\nmodel b = m(w: 0)\n',
      '/specs/lib/heads.tier': 'block proj(a, b: 128) {\n  linear(a -> b) | relu\n}\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.program?.files.map((file) => file.displayPath)).toEqual(['lib/heads.tier', 'main.tier']);
    expect(result.program?.root.imports).toEqual(['/specs/lib/heads.tier']);
  });

  it('reports duplicates across files with a note at the first definition', () => {
    const result = check({
      '/specs/main.tier': 'import "other.tier"\n\ndata shared {\n  manifest: "a.csv"\n}\n',
      '/specs/other.tier': 'model shared {}\n',
    });
    expect(codes(result.diagnostics)).toEqual(['main.tier:3 TIER2001']);
    expect(result.diagnostics[0]!.related).toEqual([
      { span: expect.objectContaining({ file: 'other.tier', start: { offset: 6, line: 1, column: 7 } }), message: "'shared' is first defined here." },
    ]);
  });

  it('does not bring train and export blocks in with an import', () => {
    const result = check({
      '/specs/main.tier': 'import "base.tier"\n\ntrain {\n  seed: 1\n}\n\nexport onnx {\n  opset: 17\n}\n',
      '/specs/base.tier': 'train {\n  seed: 2\n}\n\nexport onnx {\n  opset: 17\n}\n',
    });
    expect(result.diagnostics).toEqual([]);
  });

  it('reports an import cycle with its chain', () => {
    const result = check({
      '/specs/main.tier': 'import "a.tier"\n',
      '/specs/a.tier': 'import "b.tier"\n',
      '/specs/b.tier': 'import "main.tier"\n',
    });
    expect(codes(result.diagnostics)).toEqual(['b.tier:1 TIER2005']);
    expect(result.diagnostics[0]!.message).toBe('Import cycle: main.tier → a.tier → b.tier → main.tier.');
  });

  it('rejects imports outside the spec folder tree', () => {
    const result = check({ '/specs/main.tier': 'import "../secret.tier"\nimport "/etc/x.tier"\n', '/secret.tier': '' });
    expect(codes(result.diagnostics)).toEqual(['main.tier:1 TIER2006', 'main.tier:2 TIER2006']);
  });

  it('reports a missing spec without a span', () => {
    const result = check({}, 'none.tier');
    expect(result.diagnostics).toEqual([{ code: 'TIER2004', severity: 'error', message: "Spec file 'none.tier' does not exist." }]);
    expect(result.program).toBeUndefined();
  });

  it('stops before the name checks when parsing failed', () => {
    const result = check({ '/specs/main.tier': 'trian {}\nmodel m {\n  let = 1\n}\n' });
    expect(codes(result.diagnostics)).toEqual(['main.tier:3 TIER1002']);
  });
});

describe('runPhases', () => {
  it('stops after the first phase with errors', () => {
    const ran: string[] = [];
    const phase = (name: string, found: Diagnostic[]): Phase<object> => ({
      name,
      run: () => {
        ran.push(name);
        return found;
      },
    });
    const error = makeDiagnostic('TIER2002', 'x', undefined);
    const result = runPhases({}, [phase('a', []), phase('b', [error]), phase('c', [])]);
    expect(ran).toEqual(['a', 'b']);
    expect(result).toEqual({ diagnostics: [error], completed: ['a', 'b'], failedPhase: 'b' });
  });
});

describe('tierc check', () => {
  const folder = mkdtempSync(join(tmpdir(), 'tierc-check-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const specs = join(import.meta.dirname, '..', '..', 'specs');
  for (const name of ['tier_cxr.tier', 'tier_vit.tier']) copyFileSync(join(specs, name), join(folder, name));
  writeFileSync(join(folder, 'bad.tier'), 'train {\n  optimiser: adam\n}\n');

  function io(): CliIo & { out: string; err: string } {
    const captured = {
      out: '',
      err: '',
      cwd: folder,
      env: {},
      isTTY: false,
      stdout: (text: string) => void (captured.out += text),
      stderr: (text: string) => void (captured.err += text),
    };
    return captured;
  }

  it('exits 0 for a clean spec', async () => {
    const output = io();
    expect(await run(['check', 'tier_vit.tier'], output)).toBe(0);
    expect(output.out).toBe('Checked 1 file: no errors.\n');
  });

  it('exits 1 and renders errors', async () => {
    const output = io();
    expect(await run(['check', 'tier_cxr.tier', 'bad.tier'], output)).toBe(1);
    expect(output.err).toContain("bad.tier:2:3: error TIER2003: Unknown setting 'optimiser' in a 'train' block. Did you mean 'optimizer'?");
    expect(output.err).toContain('2 |   optimiser: adam');
    expect(output.err).toContain('Checked 2 files: 1 error.');
  });

  it('writes one JSON array with --format json', async () => {
    const output = io();
    expect(await run(['check', '--format', 'json', 'bad.tier', 'missing.tier'], output)).toBe(1);
    const diagnostics = JSON.parse(output.out) as Diagnostic[];
    expect(diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['TIER2003', 'TIER2004']);
  });

  it('exits 2 on a usage error', async () => {
    expect(await run(['check'], io())).toBe(2);
    expect(await run(['check', '--format', 'xml', 'bad.tier'], io())).toBe(2);
  });
});
