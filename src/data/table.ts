// Reading manifest files into records of string cells with their row and line numbers.
// CSV goes through csv-parse (quoted commas and newlines, UTF-8 BOM, CRLF); JSONL is one
// JSON object per line. Bytes that are not valid UTF-8 become per-row issues naming the cell.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DataError, type DataIssue } from './errors.js';

export interface TableRecord {
  /** 1-based data row (the CSV header is not counted). */
  row: number;
  /** 1-based physical line where the row starts. */
  line: number;
  /** Cell values by column name; JSON numbers and booleans are kept as their JSON text, null as ''. */
  cells: Map<string, string>;
}

export interface Table {
  file: string;
  columns: string[];
  records: TableRecord[];
  /** Per-row problems found while reading (invalid UTF-8, a JSONL line that is not an object). */
  issues: DataIssue[];
}

/** Reads a CSV or JSONL manifest; the format comes from `format` or the file extension. */
export function readTable(file: string, format?: 'csv' | 'jsonl'): Table {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read (${(error as Error).message})`;
    throw new DataError({ code: 'TIER5001', file, message: `The manifest ${reason}.` });
  }
  const chosen = format ?? (/\.jsonl?$/i.test(file) ? 'jsonl' : 'csv');
  const lines = new LineIndex(bytes);
  return chosen === 'jsonl' ? readJsonl(file, bytes, lines) : readCsv(file, bytes, lines);
}

/** Maps byte offsets to 1-based line numbers and finds invalid UTF-8 byte ranges. */
class LineIndex {
  private readonly newlines: number[] = [];
  readonly invalidOffsets: number[];

  constructor(private readonly bytes: Buffer) {
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) this.newlines.push(i);
    this.invalidOffsets = findInvalidUtf8(bytes);
  }

  lineAt(offset: number): number {
    let low = 0;
    let high = this.newlines.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.newlines[mid] as number) < offset) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  }

  /** Skips CR/LF bytes from `offset`, returning the offset of the next content byte. */
  skipBlank(offset: number): number {
    let at = offset;
    while (at < this.bytes.length && (this.bytes[at] === 0x0a || this.bytes[at] === 0x0d)) at++;
    return at;
  }

  hasInvalidBetween(start: number, end: number): boolean {
    return this.invalidOffsets.some((offset) => offset >= start && offset < end);
  }
}

/** Returns the offsets of bytes that start an invalid UTF-8 sequence. */
export function findInvalidUtf8(bytes: Uint8Array): number[] {
  const invalid: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i] as number;
    let length = 0;
    if (byte < 0x80) length = 1;
    else if (byte >= 0xc2 && byte <= 0xdf) length = 2;
    else if (byte >= 0xe0 && byte <= 0xef) length = 3;
    else if (byte >= 0xf0 && byte <= 0xf4) length = 4;
    let valid = length > 0 && i + length <= bytes.length;
    for (let k = 1; valid && k < length; k++) valid = ((bytes[i + k] as number) & 0xc0) === 0x80;
    if (valid && length === 3) {
      const second = bytes[i + 1] as number;
      valid = !(byte === 0xe0 && second < 0xa0) && !(byte === 0xed && second >= 0xa0);
    }
    if (valid && length === 4) {
      const second = bytes[i + 1] as number;
      valid = !(byte === 0xf0 && second < 0x90) && !(byte === 0xf4 && second >= 0x90);
    }
    if (valid) {
      i += length;
    } else {
      invalid.push(i);
      i += 1;
    }
  }
  return invalid;
}

interface CsvParseError extends Error {
  code?: string;
  lines?: number;
}

function readCsv(file: string, bytes: Buffer, lines: LineIndex): Table {
  let parsed: Array<{ record: string[]; info: { bytes: number } }>;
  try {
    parsed = parse(bytes, { bom: true, info: true, skip_empty_lines: true, relax_column_count: true, encoding: 'utf8' }) as unknown as typeof parsed;
  } catch (error) {
    const csvError = error as CsvParseError;
    const line = typeof csvError.lines === 'number' ? csvError.lines : undefined;
    const detail =
      csvError.code === 'CSV_QUOTE_NOT_CLOSED'
        ? `a quoted field opened at or before line ${line ?? '?'} is never closed`
        : csvError.code === 'CSV_INVALID_CLOSING_QUOTE'
          ? `a quoted field on line ${line ?? '?'} has characters after its closing quote; write a quote inside a quoted field as ""`
          : csvError.message;
    throw new DataError({
      code: 'TIER5003',
      file,
      ...(line !== undefined ? { line } : {}),
      message: `The CSV manifest is malformed: ${detail}.`,
    });
  }
  const header = parsed[0];
  if (header === undefined) throw new DataError({ code: 'TIER5003', file, message: 'The CSV manifest is empty; it needs a header row.' });
  const columns = header.record.map((name) => name.trim());
  const issues: DataIssue[] = [];
  const duplicate = columns.find((name, index) => columns.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new DataError({ code: 'TIER5003', file, line: 1, message: `The header names column '${duplicate}' twice.` });
  }

  const records: TableRecord[] = [];
  let previousEnd = header.info.bytes;
  for (let index = 1; index < parsed.length; index++) {
    const entry = parsed[index] as (typeof parsed)[number];
    const start = lines.skipBlank(previousEnd);
    const end = entry.info.bytes;
    previousEnd = end;
    const record: TableRecord = { row: index, line: lines.lineAt(start), cells: new Map() };
    columns.forEach((name, column) => record.cells.set(name, entry.record[column] ?? ''));
    if (entry.record.length !== columns.length) {
      issues.push({
        code: 'TIER5003',
        severity: 'error',
        file,
        row: record.row,
        line: record.line,
        message: `The row has ${entry.record.length} fields, but the header has ${columns.length}; quote fields that contain commas.`,
      });
    }
    if (lines.hasInvalidBetween(start, end)) {
      for (const [name, value] of record.cells) {
        if (value.includes('\uFFFD')) {
          issues.push({
            code: 'TIER5002',
            severity: 'error',
            file,
            row: record.row,
            line: record.line,
            column: name,
            message: 'The cell is not valid UTF-8; save the manifest as UTF-8.',
          });
        }
      }
    }
    records.push(record);
  }
  return { file, columns, records, issues };
}

function readJsonl(file: string, bytes: Buffer, lines: LineIndex): Table {
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const physical = text.split('\n');
  const columns: string[] = [];
  const seen = new Set<string>();
  const records: TableRecord[] = [];
  const issues: DataIssue[] = [];
  let row = 0;
  physical.forEach((raw, index) => {
    const content = raw.replace(/\r$/, '');
    if (content.trim() === '') return;
    row += 1;
    const line = index + 1;
    const record: TableRecord = { row, line, cells: new Map() };
    records.push(record);
    if (content.includes('\uFFFD') && lines.invalidOffsets.some((offset) => lines.lineAt(offset) === line)) {
      issues.push({ code: 'TIER5002', severity: 'error', file, row, line, message: 'The line is not valid UTF-8; save the manifest as UTF-8.' });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch (error) {
      issues.push({ code: 'TIER5004', severity: 'error', file, row, line, message: `The line is not valid JSON (${(error as Error).message}).` });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      issues.push({ code: 'TIER5004', severity: 'error', file, row, line, message: 'The line is valid JSON but not an object; each line must be one JSON object.' });
      return;
    }
    for (const [key, cell] of Object.entries(value as Record<string, unknown>)) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
      record.cells.set(key, cell === null || cell === undefined ? '' : typeof cell === 'string' ? cell : JSON.stringify(cell));
    }
  });
  return { file, columns, records, issues };
}
