// Which declarations later phases see after errors, and which errors count as follow-on errors.
import { describe, expect, it } from 'vitest';
import { isFollowOnError, keepIntactDeclarations, loadProgram, memoryHost } from '../../src/driver/index.js';
import { makeDiagnostic, type Diagnostic } from '../../src/diagnostics/index.js';

function load(text: string, extra: Record<string, string> = {}) {
  const loaded = loadProgram('/s/main.tier', memoryHost({ '/s/main.tier': text, ...extra }, '/s'));
  return { program: loaded.program!, diagnostics: loaded.diagnostics };
}

function kept(program: ReturnType<typeof load>['program'], errors: Diagnostic[]) {
  const intact = keepIntactDeclarations(program, errors);
  return { ...intact, kinds: intact.program.root.ast.items.map((item) => item.kind) };
}

const THREE = 'model a {\n  loss l = x\n}\n\ndata d {\n  manifest: "m.csv"\n}\n\ntrain {\n  model: a\n}\n';

describe('keepIntactDeclarations', () => {
  it('keeps everything without errors', () => {
    const { program } = load(THREE);
    const result = kept(program, []);
    expect(result.kinds).toEqual(['ModelDecl', 'DataDecl', 'TrainDecl']);
    expect(result.unattributed).toBe(false);
    expect(result.program.root).toBe(result.program.files[result.program.files.length - 1]);
  });

  it('drops the declaration that contains an error', () => {
    const { program } = load(THREE);
    const data = program.root.ast.items[1]!;
    const result = kept(program, [makeDiagnostic('TIER2009', 'Setting given twice.', data.span)]);
    expect(result.kinds).toEqual(['ModelDecl', 'TrainDecl']);
    expect([...result.droppedNames]).toEqual(['d']);
    expect(result.unattributed).toBe(false);
    expect(program.root.ast.items).toHaveLength(3);
  });

  it('drops a declaration cut short by a missing brace', () => {
    const { program, diagnostics } = load('model a {\n  loss l = x\n\ndata d {\n  manifest: "m.csv"\n}\n');
    expect(diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['TIER1011']);
    const result = kept(program, diagnostics);
    expect(result.kinds).toEqual(['DataDecl']);
    expect([...result.droppedNames]).toEqual(['a']);
  });

  it('marks an error before the first declaration as unattributed', () => {
    const { program, diagnostics } = load('= 3\nmodel a {\n  loss l = x\n}\n');
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(kept(program, diagnostics).unattributed).toBe(true);
  });

  it('marks a broken import as unattributed', () => {
    const { program, diagnostics } = load('import "missing.tier"\n\nmodel a {\n  loss l = x\n}\n');
    expect(diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['TIER2004']);
    const result = kept(program, diagnostics);
    expect(result.unattributed).toBe(true);
    expect(result.kinds).toEqual(['ModelDecl']);
  });

  it('marks an error without a span as unattributed', () => {
    const { program } = load(THREE);
    expect(kept(program, [makeDiagnostic('TIER2011', 'Cannot be read.', undefined)]).unattributed).toBe(true);
  });

  it('ignores warnings', () => {
    const { program } = load(THREE);
    const warning: Diagnostic = { code: 'TIER2118', severity: 'warning', message: 'w', span: program.root.ast.items[0]!.span };
    expect(kept(program, [warning]).kinds).toHaveLength(3);
  });
});

describe('isFollowOnError', () => {
  const span = { file: 'main.tier', start: { offset: 0, line: 1, column: 1 }, end: { offset: 1, line: 1, column: 2 } };

  it('matches undefined names of dropped declarations', () => {
    const dropped = new Set(['base', 'd']);
    expect(isFollowOnError(makeDiagnostic('TIER2101', "Model 'base' is not defined.", span), dropped)).toBe(true);
    expect(isFollowOnError(makeDiagnostic('TIER2115', "Data 'd' is not declared.", span), dropped)).toBe(true);
  });

  it('keeps other undefined names and other codes', () => {
    const dropped = new Set(['base']);
    expect(isFollowOnError(makeDiagnostic('TIER2101', "'x' is not defined.", span), dropped)).toBe(false);
    expect(isFollowOnError(makeDiagnostic('TIER2009', "Setting 'base' is given twice.", span), dropped)).toBe(false);
  });
});
