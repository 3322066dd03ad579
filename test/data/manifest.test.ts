import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError, readManifest, parseLabel, resolveExistingInsideRoot, type ManifestOptions } from '../../src/data/index.js';
import { badManifest, badRoot, tempDir } from './helpers.js';

const badOptions: ManifestOptions = {
  manifest: badManifest,
  image: { column: 'path', root: badRoot },
  text: { column: 'report' },
  split: { column: 'split' },
  labels: { columns: ['Cardiomegaly'] },
};

describe('readManifest on CSV', () => {
  it('reads BOM, CRLF, quoted commas and newlines with line numbers', () => {
    const dir = tempDir();
    const file = path.join(dir, 'm.csv');
    writeFileSync(file, '\uFEFFimage,text,split\r\na.png,"one, two",train\r\nb.png,"line one\r\nline two",test\r\n\r\nc.png,three,validate\r\n');
    const manifest = readManifest({ manifest: file, image: { column: 'image', root: dir }, text: { column: 'text', clean: false }, split: { column: 'split' } });
    expect(manifest.columns).toEqual(['image', 'text', 'split']);
    expect(manifest.issues).toEqual([]);
    expect(manifest.rows.map((row) => [row.row, row.line, row.text, row.split])).toEqual([
      [1, 2, 'one, two', 'train'],
      [2, 3, 'line one\r\nline two', 'test'],
      [3, 6, 'three', 'validate'],
    ]);
    expect(manifest.rows[0]?.imagePath).toBe(path.join(dir, 'a.png'));
  });

  it('reports each bad row with file, row, line and column', () => {
    const manifest = readManifest(badOptions);
    const summary = manifest.issues.map((issue) => [issue.code, issue.row, issue.line, issue.column]);
    expect(summary).toEqual([
      ['TIER5002', 8, 9, 'report'],
      ['TIER5010', 2, 3, 'path'],
      ['TIER5007', 9, 10, 'Cardiomegaly'],
      ['TIER5008', 10, 11, 'report'],
      ['TIER5010', 12, 14, 'path'],
    ]);
    for (const issue of manifest.issues) expect(issue.file).toBe(badManifest);
    expect(manifest.rowCount).toBe(12);
    expect(manifest.rows.map((row) => row.row)).toEqual([1, 3, 4, 5, 6, 7, 11]);
  });

  it('names the escaping path and the root in the message', () => {
    const issue = readManifest(badOptions).issues.find((item) => item.row === 2);
    expect(issue?.message).toBe(`Path '../../etc/passwd' points outside the data root '${badRoot}'.`);
    const absolute = readManifest(badOptions).issues.find((item) => item.row === 12);
    expect(absolute?.message).toContain("Path '/etc/passwd' is absolute");
  });

  it('keeps a multi-line quoted report on its own row', () => {
    const row = readManifest(badOptions).rows.find((item) => item.row === 11);
    expect(row?.line).toBe(12);
    expect(row?.text).toBe('FINDINGS: No effusion, no pneumothorax.');
    expect(row?.split).toBe('validate');
  });

  it('rejects a missing column with a suggestion', () => {
    let error: unknown;
    try {
      readManifest({ ...badOptions, text: { column: 'reports' } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).issue.code).toBe('TIER5005');
    expect((error as DataError).message).toContain("Did you mean 'report'?");
  });

  it('rejects a malformed CSV with its line', () => {
    const dir = tempDir();
    const file = path.join(dir, 'm.csv');
    writeFileSync(file, 'image,text\na.png,"unclosed\n');
    expect(() => readManifest({ manifest: file, image: { column: 'image', root: dir }, text: { column: 'text' } })).toThrow(
      `${file}:2: The CSV manifest is malformed: a quoted field opened at or before line 2 is never closed. [TIER5003]`,
    );
  });

  it('reports a row with the wrong field count', () => {
    const dir = tempDir();
    const file = path.join(dir, 'm.csv');
    writeFileSync(file, 'image,text\na.png,one\nb.png,two, three\nc.png,four\n');
    const manifest = readManifest({ manifest: file, image: { column: 'image', root: dir }, text: { column: 'text' } });
    expect(manifest.issues.map((issue) => [issue.code, issue.row, issue.line, issue.message])).toEqual([
      ['TIER5003', 2, 3, 'The row has 3 fields, but the header has 2; quote fields that contain commas.'],
    ]);
    expect(manifest.rows.map((row) => row.row)).toEqual([1, 3]);
  });

  it('reports a missing manifest file', () => {
    expect(() => readManifest({ ...badOptions, manifest: path.join(badRoot, 'nope.csv') })).toThrow(/The manifest does not exist\. \[TIER5001\]/);
  });

  it('rejects an unknown split value', () => {
    const dir = tempDir();
    const file = path.join(dir, 'm.csv');
    writeFileSync(file, 'image,text,split\na.png,x,train\nb.png,y,training\n');
    const manifest = readManifest({ manifest: file, image: { column: 'image', root: dir }, text: { column: 'text' }, split: { column: 'split' } });
    expect(manifest.issues.map((issue) => [issue.code, issue.row, issue.column])).toEqual([['TIER5006', 2, 'split']]);
  });

  it('resolves mask columns and blank mask cells', () => {
    const dir = tempDir();
    const file = path.join(dir, 'm.csv');
    writeFileSync(file, 'image,text,Nodule,mask_Nodule\na.png,x,1,masks/a.png\nb.png,y,0,\n');
    const manifest = readManifest({ manifest: file, image: { column: 'image', root: dir }, text: { column: 'text' }, labels: { columns: ['Nodule'] }, masks: { Nodule: 'mask_Nodule' } });
    expect(manifest.rows.map((row) => row.masks.Nodule)).toEqual([path.join(dir, 'masks/a.png'), null]);
  });
});

describe('readManifest on JSONL', () => {
  it('reads objects and reports lines that are not objects', () => {
    const dir = tempDir();
    const file = path.join(dir, 'm.jsonl');
    writeFileSync(file, '{"image":"a.png","text":"one","Edema":1}\n\n[1,2]\n{"image":"b.png","text":"two","Edema":-1}\n{bad json}\n{"image":"c.png","text":"three","Edema":null}\n');
    const manifest = readManifest({ manifest: file, image: { column: 'image', root: dir }, text: { column: 'text' }, labels: { columns: ['Edema'], uncertain: 'positive', blank: 'ignore' } });
    expect(manifest.issues.map((issue) => [issue.code, issue.row, issue.line])).toEqual([
      ['TIER5004', 2, 3],
      ['TIER5004', 4, 5],
    ]);
    expect(manifest.rows.map((row) => [row.row, row.line, row.text, row.labels[0], row.labelMask[0]])).toEqual([
      [1, 1, 'one', 1, 1],
      [3, 4, 'two', 1, 1],
      [5, 6, 'three', 0, 0],
    ]);
  });
});

describe('readManifest on JSONL with BOM and CRLF', () => {
  it('strips both', () => {
    const dir = tempDir();
    const file = path.join(dir, 'm.jsonl');
    writeFileSync(file, '\uFEFF{"image":"a.png","text":"one"}\r\n{"image":"b.png","text":"two"}\r\n');
    const manifest = readManifest({ manifest: file, image: { column: 'image', root: dir }, text: { column: 'text' } });
    expect(manifest.issues).toEqual([]);
    expect(manifest.rows.map((row) => [row.line, row.image, row.text])).toEqual([
      [1, 'a.png', 'one'],
      [2, 'b.png', 'two'],
    ]);
  });
});

describe('parseLabel', () => {
  const cases: Array<[string, 'positive' | 'negative' | 'ignore', 'negative' | 'ignore', { value: number; known: boolean } | undefined]> = [
    ['1', 'ignore', 'negative', { value: 1, known: true }],
    ['1.0', 'ignore', 'negative', { value: 1, known: true }],
    ['0', 'ignore', 'negative', { value: 0, known: true }],
    ['-1', 'positive', 'negative', { value: 1, known: true }],
    ['-1.0', 'negative', 'negative', { value: 0, known: true }],
    ['-1', 'ignore', 'negative', { value: 0, known: false }],
    ['', 'ignore', 'negative', { value: 0, known: true }],
    [' ', 'ignore', 'ignore', { value: 0, known: false }],
    ['2', 'ignore', 'negative', undefined],
    ['yes', 'ignore', 'negative', undefined],
    ['0.5', 'ignore', 'negative', undefined],
  ];
  it.each(cases)('parses %j with uncertain %s and blank %s', (raw, uncertain, blank, expected) => {
    expect(parseLabel(raw, uncertain, blank)).toEqual(expected);
  });
});

describe('grouped split', () => {
  const dir = tempDir();
  const file = path.join(dir, 'm.csv');
  const lines = ['image,text,patient'];
  for (let i = 0; i < 300; i++) lines.push(`${i}.png,report ${i},p${i % 100}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const options: ManifestOptions = { manifest: file, image: { column: 'image', root: dir }, text: { column: 'text' }, split: { groupBy: 'patient', fractions: { train: 0.7, validate: 0.1, test: 0.2 }, seed: 1 } };

  it('keeps each patient in one split', () => {
    const manifest = readManifest(options);
    const byPatient = new Map<string, Set<string>>();
    for (const row of manifest.rows) {
      const patient = `p${Number(row.image.replace('.png', '')) % 100}`;
      byPatient.set(patient, (byPatient.get(patient) ?? new Set()).add(row.split));
    }
    for (const splits of byPatient.values()) expect(splits.size).toBe(1);
  });

  it('cuts patients at the fractions', () => {
    const counts: Record<string, number> = {};
    for (const row of readManifest(options).rows) counts[row.split] = (counts[row.split] ?? 0) + 1;
    expect(counts).toEqual({ train: 210, validate: 30, test: 60 });
  });

  it('is deterministic per seed', () => {
    const first = readManifest(options).rows.map((row) => row.split);
    expect(readManifest(options).rows.map((row) => row.split)).toEqual(first);
    const other = readManifest({ ...options, split: { groupBy: 'patient', fractions: { train: 0.7, validate: 0.1, test: 0.2 }, seed: 2 } }).rows.map((row) => row.split);
    expect(other).not.toEqual(first);
  });

  it('rejects fractions that do not sum to 1', () => {
    expect(() => readManifest({ ...options, split: { groupBy: 'patient', fractions: { train: 0.7, test: 0.2 }, seed: 1 } })).toThrow(/TIER5009/);
  });
});

describe('resolveExistingInsideRoot', () => {
  it('rejects a symbolic link that leaves the root', () => {
    const dir = tempDir();
    const root = path.join(dir, 'root');
    mkdirSync(root);
    writeFileSync(path.join(dir, 'secret.png'), 'outside');
    symlinkSync(path.join(dir, 'secret.png'), path.join(root, 'link.png'));
    const result = resolveExistingInsideRoot(root, 'link.png');
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toBe('symlink');
  });

  it('accepts a link that stays inside the root', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.png'), 'x');
    symlinkSync(path.join(dir, 'a.png'), path.join(dir, 'b.png'));
    expect(resolveExistingInsideRoot(dir, 'b.png')).toEqual({ ok: true, path: path.join(dir, 'a.png') });
  });

  it('reports a missing file', () => {
    const result = resolveExistingInsideRoot(badRoot, 'images/missing.png');
    expect(result.ok ? '' : result.reason).toBe('missing');
  });
});
