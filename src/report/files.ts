// Reading the files of a run directory: JSON with located errors, paths that must stay inside
// the directory, and tensors stored inline or as raw little-endian float32 files.
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EvalError, tensor, type Tensor } from '../eval/index.js';
import { removeTemporary, temporaryPath } from '../driver/temporary.js';

/** A tensor in a run file: `{ "file": "x.f32", "shape": [...] }` (raw float32, little-endian) or `{ "shape": [...], "data": [...] }`. */
export type TensorRef = { file: string; shape: number[]; dtype?: 'float32' } | { shape: number[]; data: number[] };

/** Resolves `relative` against the run directory; absolute paths and paths that leave it are errors. */
export function resolveInRun(runDir: string, relative: unknown, file: string, location: string): string {
  if (typeof relative !== 'string' || relative.trim() === '') {
    throw new EvalError({ code: 'TIER7032', file, location, message: `Expected a relative path string, found ${JSON.stringify(relative)}.` });
  }
  const root = path.resolve(runDir);
  const resolved = path.resolve(root, relative);
  if (path.isAbsolute(relative) || relative.includes('\0') || (resolved !== root && !resolved.startsWith(root + path.sep))) {
    throw new EvalError({
      code: 'TIER7037',
      file,
      location,
      message: `Path '${relative}' points outside the run directory; paths in run files are relative to it.`,
    });
  }
  return resolved;
}

/** Reads and parses a JSON file; a missing file or a syntax error names the file. */
export function readJson(filePath: string, code = 'TIER7032'): unknown {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    throw new EvalError({ code, file: filePath, message: `The file cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).` });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new EvalError({ code, file: filePath, message: `The file is not valid JSON: ${(error as Error).message}.` });
  }
}

/** Returns `value` as a plain object or raises an error naming where it is. */
export function expectObject(value: unknown, file: string, location: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EvalError({ code: 'TIER7032', file, location, message: `Expected a JSON object, found ${describeJson(value)}.` });
  }
  return value as Record<string, unknown>;
}

/** Returns `value` as an array of finite numbers or raises an error naming the first bad entry. */
export function expectNumbers(value: unknown, file: string, location: string): number[] {
  if (!Array.isArray(value)) {
    throw new EvalError({ code: 'TIER7032', file, location, message: `Expected an array of numbers, found ${describeJson(value)}.` });
  }
  value.forEach((entry, index) => {
    if (typeof entry !== 'number' || !Number.isFinite(entry)) {
      throw new EvalError({ code: 'TIER7032', file, location: `${location}[${index}]`, message: `Expected a finite number, found ${describeJson(entry)}.` });
    }
  });
  return value as number[];
}

/** Loads a tensor reference; a raw file must hold exactly 4 bytes per element of its shape. */
export function readTensor(runDir: string, ref: unknown, file: string, location: string): Tensor {
  const object = expectObject(ref, file, location);
  const shape = expectNumbers(object.shape, file, `${location}.shape`);
  if ('data' in object) {
    const data = Float32Array.from(expectNumbers(object.data, file, `${location}.data`));
    return withLocation(() => tensor(data, shape, `tensor '${location}'`), file, location);
  }
  if (object.dtype !== undefined && object.dtype !== 'float32') {
    throw new EvalError({ code: 'TIER7032', file, location: `${location}.dtype`, message: `Tensor dtype '${String(object.dtype)}' is not supported; store float32.` });
  }
  const tensorPath = resolveInRun(runDir, object.file, file, `${location}.file`);
  let bytes: Buffer;
  try {
    bytes = readFileSync(tensorPath);
  } catch (error) {
    throw new EvalError({ code: 'TIER7032', file: tensorPath, message: `The tensor file cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).` });
  }
  const count = shape.reduce((product, size) => product * size, 1);
  if (bytes.byteLength !== count * 4) {
    throw new EvalError({
      code: 'TIER7033',
      file: tensorPath,
      message: `The file has ${bytes.byteLength} bytes, but shape [${shape.join(', ')}] of float32 needs ${count * 4}.`,
    });
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = bytes.readFloatLE(i * 4);
  return withLocation(() => tensor(data, shape, `tensor '${location}'`), file, location);
}

/** Returns true when `filePath` is an existing regular file. */
export function isFile(filePath: string): boolean {
  try {
    return statSync(filePath).isFile();
  } catch {
    return false;
  }
}

function withLocation<T>(action: () => T, file: string, location: string): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof EvalError && error.issue.file === undefined) throw new EvalError({ ...error.issue, file, location });
    throw error;
  }
}

export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}

/** Writes `content` to a temporary file beside `file` and renames it, so readers never see half a file. */
export function writeAtomically(file: string, content: string | Uint8Array): void {
  const temporary = temporaryPath(path.join(path.dirname(file), `.${path.basename(file)}`));
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  } catch (error) {
    removeTemporary(temporary);
    throw new EvalError({ code: 'TIER7035', file, message: writeFailure(file, error) });
  }
}

const WRITE_CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  EISDIR: 'the path is a folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
};

/** Says why `file` could not be written, in words, with the error code: "its folder '/x' does not exist (ENOENT)". */
export function writeFailure(file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `The file cannot be written: its folder '${path.dirname(file)}' does not exist (ENOENT); create it or choose another path.`;
  if (code !== undefined && code in WRITE_CAUSES) return `The file cannot be written: ${WRITE_CAUSES[code]} (${code}).`;
  return `The file cannot be written (${code ?? (error instanceof Error ? error.message : String(error))}).`;
}
