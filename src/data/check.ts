// `checkDataset` reads every row of a manifest once and reports what would stop or degrade
// training: missing or unreadable images, empty texts, unknown label values, paths outside
// the root, image sizes, and token lengths against the maximum length, all with row numbers.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DataError, toIssue, type DataIssue } from './errors.js';
import { decodeImage, sniffFormat, type ImageDecodeOptions } from './image.js';
import { readManifest, type Manifest, type ManifestOptions } from './manifest.js';
import { resolveExistingInsideRoot } from './paths.js';
import { encodeText } from './tokenizer/encode.js';
import { loadTokenizer } from './tokenizer/index.js';
import type { TextTokenizer } from './tokenizer/types.js';

export interface CheckOptions {
  manifest: ManifestOptions;
  /** A vocab.txt or tokenizer.json path, or a loaded tokenizer, with the maximum token length. */
  tokenizer?: { path: string; maxLen: number; lowercase?: boolean } | { tokenizer: TextTokenizer; maxLen: number };
  image?: ImageDecodeOptions;
  /** 'skip' turns unusable images into skipped rows (reported, not failing); default 'fail'. */
  onMissing?: 'fail' | 'skip';
  /** Images decoded at the same time; default 4. */
  concurrency?: number;
}

export interface Summary {
  count: number;
  min: number;
  max: number;
  mean: number;
  median: number;
  p95: number;
}

export interface DataCheckReport {
  manifest: string;
  /** Data rows in the file. */
  rows: number;
  /** Rows that training would use. */
  usableRows: number;
  errors: DataIssue[];
  warnings: DataIssue[];
  /** Rows dropped under onMissing 'skip'. */
  skipped: DataIssue[];
  splits: Record<string, number>;
  labels: Record<string, { positive: number; negative: number; unknown: number }>;
  images: { formats: Record<string, number>; width: Summary | null; height: Summary | null; channels: Record<string, number> };
  tokens: (Summary & { maxLen: number; truncated: number; truncatedRows: number[] }) | null;
  /** True when something in the report would make training fail. */
  failsTraining: boolean;
}

const imageCodes = new Set(['TIER5011', 'TIER5012', 'TIER5013', 'TIER5014', 'TIER5015', 'TIER5016']);

export async function checkDataset(options: CheckOptions, onProgress?: (done: number, total: number) => void): Promise<DataCheckReport> {
  const report: DataCheckReport = {
    manifest: options.manifest.manifest,
    rows: 0,
    usableRows: 0,
    errors: [],
    warnings: [],
    skipped: [],
    splits: {},
    labels: {},
    images: { formats: {}, width: null, height: null, channels: {} },
    tokens: null,
    failsTraining: false,
  };
  let manifest: Manifest;
  let tokenizer: TextTokenizer | undefined;
  try {
    manifest = readManifest(options.manifest);
    if (options.tokenizer !== undefined) tokenizer = 'tokenizer' in options.tokenizer ? options.tokenizer.tokenizer : loadTokenizer(options.tokenizer.path, { lowercase: options.tokenizer.lowercase ?? true });
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    report.errors.push(error.issue);
    report.failsTraining = true;
    return report;
  }
  report.rows = manifest.rowCount;
  report.errors.push(...manifest.issues.filter((issue) => issue.severity === 'error'));
  report.warnings.push(...manifest.issues.filter((issue) => issue.severity !== 'error'));

  const onMissing = options.onMissing ?? 'fail';
  const widths: number[] = [];
  const heights: number[] = [];
  const unusable = new Set<number>();
  let done = 0;
  const total = manifest.rows.length;
  const checkRow = async (rowIndex: number): Promise<void> => {
    const row = manifest.rows[rowIndex] as (typeof manifest.rows)[number];
    const where = { file: manifest.file, row: row.row, line: row.line, column: options.manifest.image.column };
    const resolved = resolveExistingInsideRoot(options.manifest.image.root, row.image);
    let issue: DataIssue | undefined;
    if (!resolved.ok) {
      issue = { code: resolved.reason === 'missing' ? 'TIER5011' : 'TIER5010', severity: 'error', message: resolved.message, ...where };
    } else {
      try {
        const bytes = await readFile(resolved.path);
        const image = await decodeImage(bytes, resolved.path, options.image ?? {});
        const format = sniffFormat(bytes) ?? 'unknown';
        report.images.formats[format] = (report.images.formats[format] ?? 0) + 1;
        report.images.channels[String(image.channels)] = (report.images.channels[String(image.channels)] ?? 0) + 1;
        widths.push(image.width);
        heights.push(image.height);
      } catch (error) {
        const found = toIssue(error, 'TIER5014', where);
        issue = { ...found, ...where, message: `Image '${row.image}': ${found.message}` };
      }
    }
    if (issue !== undefined) {
      unusable.add(rowIndex);
      if (onMissing === 'skip' && imageCodes.has(issue.code)) report.skipped.push({ ...issue, severity: 'warning', code: 'TIER5017', message: `Row skipped: ${issue.message}` });
      else report.errors.push(issue);
    }
    for (const [label, maskPath] of Object.entries(row.masks)) {
      if (maskPath !== null && !existsSync(maskPath)) {
        report.errors.push({ code: 'TIER5011', severity: 'error', file: manifest.file, row: row.row, line: row.line, column: options.manifest.masks?.[label] ?? label, message: `Mask file '${maskPath}' does not exist.` });
      }
    }
    done += 1;
    onProgress?.(done, total);
  };
  await runPool(total, options.concurrency ?? 4, checkRow);

  const usable = manifest.rows.filter((_, index) => !unusable.has(index));
  report.usableRows = usable.length;
  for (const row of usable) report.splits[row.split] = (report.splits[row.split] ?? 0) + 1;
  manifest.labelNames.forEach((name, k) => {
    const counts = { positive: 0, negative: 0, unknown: 0 };
    for (const row of usable) {
      if (row.labelMask[k] === 0) counts.unknown += 1;
      else if (row.labels[k] === 1) counts.positive += 1;
      else counts.negative += 1;
    }
    report.labels[name] = counts;
  });
  report.images.width = summarize(widths);
  report.images.height = summarize(heights);

  if (tokenizer !== undefined && options.tokenizer !== undefined) {
    const maxLen = options.tokenizer.maxLen;
    const lengths: number[] = [];
    const truncatedRows: number[] = [];
    for (const row of usable) {
      const { fullLength } = encodeText(tokenizer, row.text, maxLen);
      lengths.push(fullLength);
      if (fullLength > maxLen) truncatedRows.push(row.row);
    }
    const summary = summarize(lengths);
    report.tokens = summary === null ? null : { ...summary, maxLen, truncated: truncatedRows.length, truncatedRows: truncatedRows.slice(0, 50) };
    if (truncatedRows.length > 0) {
      report.warnings.push({
        code: 'TIER5021',
        severity: 'warning',
        file: manifest.file,
        message: `${truncatedRows.length} of ${usable.length} reports are longer than ${maxLen} tokens and will be truncated (first at row ${truncatedRows[0]}).`,
      });
    }
  }
  if (usable.length === 0) report.errors.push({ code: 'TIER5009', severity: 'error', file: manifest.file, message: 'No usable rows remain; training needs at least one.' });
  // Images are checked concurrently, so issues are put back in row order.
  for (const list of [report.errors, report.warnings, report.skipped]) list.sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
  report.failsTraining = report.errors.length > 0;
  return report;
}

async function runPool(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
}

function summarize(values: number[]): Summary | null {
  if (values.length === 0) return null;
  const sorted = values.slice().sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { count: sorted.length, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, mean: sorted.reduce((s, v) => s + v, 0) / sorted.length, median: at(0.5), p95: at(0.95) };
}
