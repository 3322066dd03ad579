// Appending whole lines to a line-oriented file (JSONL). A line goes to the file in one write of
// the whole buffer. A write that fails or stops short is truncated back to the last complete
// line, so the file never ends in a partial line unless that truncation fails too.
import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';

/** A failed append, with the cause of the failed write and, when truncating failed too, that cause. */
export class AppendError extends Error {
  constructor(readonly reason: string, readonly truncateError: string | undefined) {
    super(truncateError === undefined ? reason : `${reason}; truncating the file back to its last complete line also failed (${truncateError})`);
    this.name = 'AppendError';
  }
}

/**
 * Appends `line` (ending in a newline) to the file open for appending as `fd`, whose complete
 * lines end at byte `size`. Returns the new size, or throws AppendError after truncating the
 * file back to `size`.
 */
export function appendWholeLine(fd: number, line: string, size: number): number {
  const bytes = Buffer.from(line, 'utf8');
  let reason: string;
  try {
    const written = writeSync(fd, bytes, 0, bytes.length);
    if (written === bytes.length) return size + written;
    reason = `only ${written} of ${bytes.length} bytes were written`;
  } catch (error) {
    reason = (error as Error).message;
  }
  try {
    ftruncateSync(fd, size);
  } catch (error) {
    throw new AppendError(reason, (error as Error).message);
  }
  throw new AppendError(reason, undefined);
}

/** Opens `file` for appending, appends `line` as `appendWholeLine` does, and closes it. */
export function appendLineToFile(file: string, line: string): void {
  const fd = openSync(file, 'a');
  try {
    appendWholeLine(fd, line, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}
