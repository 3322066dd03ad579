// Manifests: a CSV or JSONL table turned into typed rows (image path inside the data root,
// report text, split, labels with a declared policy for uncertain and blank cells, optional
// mask paths). Problems in one row become issues naming the file, row, line and column; only
// problems with the whole file (missing, malformed, a missing column) throw.
import { DataError, type DataIssue } from './errors.js';
import { resolveInsideRoot } from './paths.js';
import { createRandom, shuffled } from './random.js';
import { closestName } from './suggest.js';
import { readTable, type TableRecord } from './table.js';
import { processReport, type ReportTextOptions } from './text.js';

/** What a -1 label cell means: the finding is present, absent, or unknown (masked out). */
export type UncertainPolicy = 'positive' | 'negative' | 'ignore';
/** What a blank label cell means: the finding is absent, or unknown (masked out). */
export type BlankPolicy = 'negative' | 'ignore';

export type SplitOptions =
  /** The split name is read from a column. */
  | { column: string; values?: string[] }
  /** Groups (for example patients) are shuffled with `seed` and cut by `fractions`, so a group never spans two splits. */
  | { groupBy: string; fractions: Record<string, number>; seed: number };

export interface ManifestOptions {
  /** Path of the CSV or JSONL file. */
  manifest: string;
  format?: 'csv' | 'jsonl';
  image: { column: string; root: string };
  text: { column: string } & ReportTextOptions;
  /** Without a split every row is in split 'train'. */
  split?: SplitOptions;
  labels?: { columns: string[]; uncertain?: UncertainPolicy; blank?: BlankPolicy };
  /** Mask columns by label name; a mask cell contains a path under the image root or is blank. */
  masks?: Record<string, string>;
  /** Column with a row identifier; without it the 1-based row number is the id. */
  id?: string;
}

export interface ManifestRow {
  /** 0-based position among all data rows of the manifest. */
  index: number;
  /** 1-based data row. */
  row: number;
  /** 1-based physical line where the row starts. */
  line: number;
  id: string;
  /** The image path as written in the manifest. */
  image: string;
  /** Absolute path, checked to stay inside the root lexically; symbolic links are checked when the file is opened. */
  imagePath: string;
  text: string;
  split: string;
  /** One value per label column: 1 present, 0 absent (also where ignored). */
  labels: Float32Array;
  /** 1 where the label is known, 0 where the policy ignores it. */
  labelMask: Uint8Array;
  /** Absolute mask path by label name, or null where the cell is blank. */
  masks: Record<string, string | null>;
}

export interface Manifest {
  file: string;
  columns: string[];
  labelNames: string[];
  /** Rows without errors. */
  rows: ManifestRow[];
  /** Total data rows in the file, including rejected ones. */
  rowCount: number;
  issues: DataIssue[];
}

export const defaultSplitValues = ['train', 'validate', 'validation', 'val', 'valid', 'test'];

/** Reads a manifest; throws `DataError` only for problems with the whole file. */
export function readManifest(options: ManifestOptions): Manifest {
  const table = readTable(options.manifest, options.format);
  const file = options.manifest;
  const labelNames = options.labels?.columns ?? [];
  const maskColumns = options.masks ?? {};
  const needed = [
    options.image.column,
    options.text.column,
    ...labelNames,
    ...Object.values(maskColumns),
    ...(options.id !== undefined ? [options.id] : []),
    ...(options.split && 'column' in options.split ? [options.split.column] : []),
    ...(options.split && 'groupBy' in options.split ? [options.split.groupBy] : []),
  ];
  for (const column of needed) requireColumn(file, table.columns, column, table.records.length > 0);
  for (const label of Object.keys(maskColumns)) {
    if (!labelNames.includes(label)) {
      throw new DataError({ code: 'TIER5005', file, message: `Mask column for '${label}' is given, but '${label}' is not one of the label columns.` });
    }
  }

  const issues = [...table.issues];
  const badRows = new Set(table.issues.filter((issue) => issue.severity === 'error').map((issue) => issue.row));
  const groupSplit = options.split && 'groupBy' in options.split ? assignGroups(file, table.records, options.split) : undefined;
  const allowedSplits = options.split && 'column' in options.split ? options.split.values ?? defaultSplitValues : undefined;

  const rows: ManifestRow[] = [];
  table.records.forEach((record, index) => {
    if (badRows.has(record.row)) return;
    const rowIssues: DataIssue[] = [];
    const report = (column: string, code: string, message: string): void => {
      rowIssues.push({ code, severity: 'error', file, row: record.row, line: record.line, column, message });
    };
    const cell = (column: string): string => record.cells.get(column) ?? '';

    const image = cell(options.image.column).trim();
    const resolved = resolveInsideRoot(options.image.root, image);
    if (!resolved.ok) report(options.image.column, resolved.reason === 'empty' ? 'TIER5011' : 'TIER5010', resolved.message);

    const text = processReport(cell(options.text.column), options.text);
    if (text.length === 0) report(options.text.column, 'TIER5008', 'The report text is empty.');

    let split = 'train';
    if (groupSplit !== undefined && options.split && 'groupBy' in options.split) {
      split = groupSplit.get(cell(options.split.groupBy)) ?? 'train';
    } else if (allowedSplits !== undefined && options.split && 'column' in options.split) {
      split = cell(options.split.column).trim();
      if (!allowedSplits.includes(split)) {
        report(options.split.column, 'TIER5006', `Split '${split}' is not one of ${allowedSplits.map((v) => `'${v}'`).join(', ')}.`);
      }
    }

    const labels = new Float32Array(labelNames.length);
    const labelMask = new Uint8Array(labelNames.length);
    labelNames.forEach((name, k) => {
      const parsed = parseLabel(cell(name), options.labels?.uncertain ?? 'ignore', options.labels?.blank ?? 'negative');
      if (parsed === undefined) {
        report(name, 'TIER5007', `Label value '${cell(name)}' is not 1, 0, -1 (uncertain) or blank.`);
        return;
      }
      labels[k] = parsed.value;
      labelMask[k] = parsed.known ? 1 : 0;
    });

    const masks: Record<string, string | null> = {};
    for (const [label, column] of Object.entries(maskColumns)) {
      const value = cell(column).trim();
      if (value === '') {
        masks[label] = null;
        continue;
      }
      const maskPath = resolveInsideRoot(options.image.root, value);
      if (maskPath.ok) masks[label] = maskPath.path;
      else report(column, 'TIER5010', maskPath.message);
    }

    issues.push(...rowIssues);
    if (rowIssues.length > 0) return;
    rows.push({
      index,
      row: record.row,
      line: record.line,
      id: options.id !== undefined ? cell(options.id) : String(record.row),
      image,
      imagePath: resolved.ok ? resolved.path : '',
      text,
      split,
      labels,
      labelMask,
      masks,
    });
  });
  return { file, columns: table.columns, labelNames, rows, rowCount: table.records.length, issues };
}

function requireColumn(file: string, columns: string[], column: string, hasRows: boolean): void {
  if (columns.includes(column)) return;
  // A JSONL file lists only keys that occur; an empty file has no columns to check against.
  if (!hasRows) return;
  const suggestion = closestName(column, columns);
  throw new DataError({
    code: 'TIER5005',
    file,
    column,
    message: `Column '${column}' is not in the manifest, which has columns ${columns.map((c) => `'${c}'`).join(', ')}.${suggestion !== undefined ? ` Did you mean '${suggestion}'?` : ''}`,
  });
}

/** Parses a label cell; returns undefined for a value that is not 1, 0, -1 or blank. */
export function parseLabel(raw: string, uncertain: UncertainPolicy, blank: BlankPolicy): { value: number; known: boolean } | undefined {
  const text = raw.trim();
  if (text === '') return blank === 'negative' ? { value: 0, known: true } : { value: 0, known: false };
  if (!/^-?\d+(\.0*)?$/.test(text)) return undefined;
  const number = Number(text);
  if (number === 1) return { value: 1, known: true };
  if (number === 0) return { value: 0, known: true };
  if (number === -1) {
    if (uncertain === 'positive') return { value: 1, known: true };
    if (uncertain === 'negative') return { value: 0, known: true };
    return { value: 0, known: false };
  }
  return undefined;
}

/**
 * Assigns each group to a split: the distinct group values are sorted, shuffled with the seed
 * and cut at the cumulative fractions, so the result depends only on the set of groups and the seed.
 */
export function assignGroups(file: string, records: TableRecord[], split: { groupBy: string; fractions: Record<string, number>; seed: number }): Map<string, string> {
  const groups = [...new Set(records.map((record) => record.cells.get(split.groupBy) ?? ''))].sort();
  return assignGroupValues(file, groups, split.fractions, split.seed);
}

export function assignGroupValues(file: string, groups: string[], fractions: Record<string, number>, seed: number): Map<string, string> {
  const entries = Object.entries(fractions);
  const total = entries.reduce((sum, [, fraction]) => sum + fraction, 0);
  if (entries.length === 0 || entries.some(([, fraction]) => !(fraction >= 0)) || Math.abs(total - 1) > 1e-6) {
    const listed = entries.map(([name, fraction]) => `${name} ${fraction}`).join(', ');
    throw new DataError({ code: 'TIER5009', file, message: `Split fractions must be non-negative and sum to 1, but they are ${listed || 'empty'} (sum ${total}).` });
  }
  const order = shuffled([...groups].sort(), createRandom(seed));
  const assignment = new Map<string, string>();
  let cumulative = 0;
  let start = 0;
  entries.forEach(([name, fraction], k) => {
    cumulative += fraction;
    const end = k === entries.length - 1 ? order.length : Math.round(cumulative * order.length);
    for (let i = start; i < end; i++) assignment.set(order[i] as string, name);
    start = end;
  });
  return assignment;
}
