import { describe, expect, it } from 'vitest';
import { catalog, catalogEntry, makeDiagnostic } from '../../src/diagnostics/index.js';
import { syntaxCatalog } from '../../src/diagnostics/catalog/syntax.js';
import { namesCatalog } from '../../src/diagnostics/catalog/names.js';

describe('diagnostic catalog', () => {
  it('has no duplicate codes', () => {
    const seen = new Map<string, number>();
    for (const entry of catalog) seen.set(entry.code, (seen.get(entry.code) ?? 0) + 1);
    const duplicates = [...seen].filter(([, count]) => count > 1).map(([code]) => code);
    expect(duplicates).toEqual([]);
  });

  it('uses the TIERnnnn code format', () => {
    const malformed = catalog.filter((entry) => !/^TIER\d{4}$/.test(entry.code)).map((entry) => entry.code);
    expect(malformed).toEqual([]);
  });

  it('keeps syntax and name codes in their ranges', () => {
    expect(syntaxCatalog.every((entry) => entry.code.startsWith('TIER1'))).toBe(true);
    expect(namesCatalog.every((entry) => entry.code.startsWith('TIER2'))).toBe(true);
  });

  it('gives each entry a one-line summary', () => {
    const bad = catalog.filter((entry) => entry.summary.trim() === '' || entry.summary.includes('\n')).map((entry) => entry.code);
    expect(bad).toEqual([]);
  });
});

describe('makeDiagnostic', () => {
  it('takes the severity from the catalog', () => {
    expect(catalogEntry('TIER1002')?.severity).toBe('error');
    expect(makeDiagnostic('TIER1002', 'Expected x.', undefined)).toEqual({ code: 'TIER1002', severity: 'error', message: 'Expected x.' });
  });

  it('rejects a code that is not in the catalog', () => {
    expect(() => makeDiagnostic('TIER1999', 'x', undefined)).toThrow(/not an active catalog entry/);
  });
});
