// Per-step training metrics and the JSONL file they are appended to, one object per line.
// Each line goes to the file in one write of the whole line (`appendWholeLine`), so a failed
// write leaves the file ending in its last complete line.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TrainingError } from './errors.js';
import { AppendError, appendWholeLine } from '../driver/append.js';
import { makeFolder } from '../driver/folders.js';
import { errorNaming, removeTemporary, temporaryPath } from '../driver/temporary.js';

export interface StepMetrics {
  /** Optimizer steps completed. */
  step: number;
  /** Weighted total loss. */
  loss: number;
  /** Each unweighted loss term by name. */
  terms: Record<string, number>;
  lr: number;
  /** Value of the first clamped parameter (CLIP's logit scale, stored as a log). */
  logitScale?: number;
  gradNorm?: number;
  samplesPerSecond: number;
  /** Share of the step spent waiting for data. */
  dataWaitFraction: number;
  seconds: number;
}

export class MetricsWriter {
  private readonly fd: number;
  /** Length in bytes of the complete lines in the file, the size a failed write truncates it to. */
  private size: number;

  /**
   * Opens `path` for appending after step `resumeStep`, or empties it when `resumeStep` is 0.
   * Rows past `resumeStep` come from a run that stopped between checkpoints and are dropped,
   * because the resumed run writes those steps again.
   */
  constructor(private readonly path: string, resumeStep: number) {
    try {
      makeFolder(dirname(path));
      if (resumeStep === 0) writeFileSync(path, '');
      else dropRowsAfter(path, resumeStep);
      this.fd = openSync(path, 'a');
      this.size = fstatSync(this.fd).size;
    } catch (error) {
      throw new TrainingError('TIER6018', `Opening the metrics file '${path}' failed: ${(error as Error).message}. Make the run folder writable or choose another one with --out.`);
    }
  }

  write(metrics: StepMetrics): void {
    const { step, loss, terms, lr, logitScale, gradNorm, samplesPerSecond, dataWaitFraction } = metrics;
    const line: Record<string, unknown> = { step, loss, ...prefixed(terms), lr };
    if (logitScale !== undefined) line.logit_scale = logitScale;
    if (gradNorm !== undefined) line.grad_norm = gradNorm;
    line.samples_per_s = samplesPerSecond;
    line.data_wait = dataWaitFraction;
    this.append(line);
  }

  /** Appends a row of another kind, such as an evaluation; it must carry the step it belongs to. */
  writeRow(row: { step: number } & Record<string, unknown>): void {
    this.append(row);
  }

  /** Appends one JSON line; a failed write (a full disk) becomes TIER6018 naming the file. */
  private append(row: Record<string, unknown>): void {
    try {
      this.size = appendWholeLine(this.fd, JSON.stringify(row) + '\n', this.size);
    } catch (error) {
      if (!(error instanceof AppendError)) throw error;
      const cut = error.truncateError === undefined ? '' : ` Truncating the file back to its last complete line also failed (${error.truncateError}), so delete its last line before reading it.`;
      throw new TrainingError('TIER6018', `Writing the metrics file '${this.path}' failed: ${error.reason}. Free space or choose another run folder with --out; the checkpoints are unchanged.${cut}`);
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Rewrites the JSONL file without rows whose step is above `step`, through a temporary file and a rename. */
function dropRowsAfter(path: string, step: number): void {
  if (!existsSync(path)) return;
  const original = readFileSync(path, 'utf8');
  const lines = original.split('\n');
  // A last line without its newline that is not valid JSON is what a writer killed during a
  // write leaves behind, so it is dropped with the rows past `step`.
  const tail = lines.length - 1;
  if (lines[tail] !== '' && !isJson(lines[tail]!)) lines.pop();
  const kept = lines.filter((line) => line.trim() !== '' && !(rowStep(line) > step));
  const text = kept.map((line) => `${line}\n`).join('');
  // An unchanged file is left alone; a last line without its newline gets one, so the next row starts on its own line.
  if (text === original) return;
  const temp = temporaryPath(path);
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    removeTemporary(temp);
    throw errorNaming(error, temp, path);
  }
}

/** Returns the row's step, or NaN for a line that is not a JSON object with a numeric step (such lines are kept). */
function rowStep(line: string): number {
  try {
    const row = JSON.parse(line) as { step?: unknown };
    return typeof row.step === 'number' ? row.step : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

function prefixed(terms: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(terms).map(([name, value]) => [`loss/${name}`, value]));
}
