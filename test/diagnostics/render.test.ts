import { describe, expect, it } from 'vitest';
import { LineMap, makeDiagnostic, renderDiagnostics, renderDiagnosticsJson, type Diagnostic } from '../../src/diagnostics/index.js';

function spanOf(text: string, needle: string, file = 'a.tier') {
  const start = text.indexOf(needle);
  return new LineMap(text).span(file, start, start + needle.length);
}

describe('renderDiagnostics', () => {
  it('prints location, source line and underline', () => {
    const text = 'model m {\n  let x = foo\n}\n';
    const diagnostic = makeDiagnostic('TIER1006', "Expected an expression but found 'foo'.", spanOf(text, 'foo'));
    expect(renderDiagnostics([diagnostic], { sources: () => text })).toBe(
      [
        "a.tier:2:11: error TIER1006: Expected an expression but found 'foo'.",
        '2 |   let x = foo',
        '  |           ^^^',
        '',
      ].join('\n'),
    );
  });

  it('aligns the underline after tabs and wide characters', () => {
    const text = '\tlet 中 = "é😀" x\n';
    const diagnostic = makeDiagnostic('TIER1002', 'Expected x.', spanOf(text, 'x'));
    const lines = renderDiagnostics([diagnostic], { sources: () => text }).split('\n');
    expect(lines[1]).toBe('1 |     let 中 = "é😀" x');
    // Tab → 4 columns, 中 and 😀 take two columns each.
    expect(lines[2]).toBe(`  | ${' '.repeat(19)}^`);
  });

  it('prints related spans as notes', () => {
    const text = 'model a {}\nmodel a {}\n';
    const first = new LineMap(text).span('a.tier', 6, 7);
    const second = new LineMap(text).span('a.tier', 17, 18);
    const diagnostic = makeDiagnostic('TIER2001', "Name 'a' is already defined; rename one of them.", second, {
      related: [{ span: first, message: "'a' is first defined here." }],
    });
    expect(renderDiagnostics([diagnostic], { sources: () => text })).toBe(
      [
        "a.tier:2:7: error TIER2001: Name 'a' is already defined; rename one of them.",
        '2 | model a {}',
        '  |       ^',
        "a.tier:1:7: note: 'a' is first defined here.",
        '1 | model a {}',
        '  |       ^',
        '',
      ].join('\n'),
    );
  });

  it('adds colour only when asked', () => {
    const text = 'x\n';
    const diagnostic = makeDiagnostic('TIER1001', "Unexpected character 'x'.", spanOf(text, 'x'));
    expect(renderDiagnostics([diagnostic], { sources: () => text })).not.toContain('\u001b[');
    expect(renderDiagnostics([diagnostic], { sources: () => text, color: true })).toContain('\u001b[31merror TIER1001\u001b[0m');
  });

  it('shows a window of a very long line', () => {
    const text = `${'a'.repeat(500_000)} bad ${'b'.repeat(500_000)}\n`;
    const diagnostic = makeDiagnostic('TIER1002', 'Expected x.', spanOf(text, 'bad'));
    const output = renderDiagnostics([diagnostic], { sources: () => text });
    const [, source, marker] = output.split('\n');
    expect(source!.length).toBeLessThan(200);
    expect(source).toContain(' bad ');
    expect(source!.indexOf('bad')).toBe(marker!.indexOf('^'));
  });

  it('prints a diagnostic without a span as one line', () => {
    const diagnostic = makeDiagnostic('TIER2004', "Spec file 'x.tier' does not exist.", undefined);
    expect(renderDiagnostics([diagnostic], { sources: () => undefined })).toBe("error TIER2004: Spec file 'x.tier' does not exist.\n");
  });
});

describe('renderDiagnosticsJson', () => {
  it('writes one JSON array', () => {
    const text = 'x\n';
    const diagnostics: Diagnostic[] = [makeDiagnostic('TIER1001', 'A.', spanOf(text, 'x')), makeDiagnostic('TIER2004', 'B.', undefined)];
    const parsed = JSON.parse(renderDiagnosticsJson(diagnostics)) as Diagnostic[];
    expect(parsed).toEqual(diagnostics);
    expect(parsed[0]!.span!.start).toEqual({ offset: 0, line: 1, column: 1 });
  });
});
