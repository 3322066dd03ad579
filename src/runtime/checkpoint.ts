// Checkpoints: one folder per saved step, `step-00000100/`, holding `model.safetensors`
// (parameters and buffers), `optimizer.safetensors` (optimizer slots) and `state.json`
// (step, seed, data cursor, spec hash, metrics). A checkpoint is written into a temporary
// folder, every file is fsynced, and the folder is renamed into place, so a crash or a
// failed write leaves either the whole checkpoint or none of it. After each save only the
// last N and the best K by a named metric are kept.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync, accessSync, constants } from 'node:fs';
import { basename, join } from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import { TrainingError, trainingWarning } from './errors.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type SafeTensor } from './safetensors.js';
import { makeFolder } from '../driver/folders.js';
import { errorNaming, removeTemporary, temporaryPath } from '../driver/temporary.js';

export interface CheckpointState {
  step: number;
  seed: number;
  dataCursor: unknown;
  specHash: string;
  specFile: string;
  tiercVersion: string;
  optimizerStep: number;
  metrics: Record<string, number>;
  /** The run's keep-best rule, when it keeps the best K checkpoints by a metric of `metrics`. */
  keepBest?: { metric: string; mode: 'min' | 'max' };
}

export interface Checkpoint {
  path: string;
  state: CheckpointState;
  weights: Map<string, Float32Array>;
  optimizer: Map<string, Float32Array>;
}

/** File writes go through this, so tests can inject a failing disk. */
export interface CheckpointWriter {
  writeFile(path: string, data: Uint8Array): void;
}

/** Writes with fsync before close, so a rename never publishes unwritten data. */
export const fsyncWriter: CheckpointWriter = {
  writeFile(path, data) {
    const fd = openSync(path, 'w');
    try {
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written, data.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
};

export interface RetentionPolicy {
  keepLast: number;
  keepBest: number;
  /** Metric in `state.metrics` that ranks checkpoints for `keepBest`. */
  metric?: string;
  mode?: 'min' | 'max';
}

const STEP_DIR = /^step-(\d{8})$/;

/** Creates `dir` if needed and checks it is writable; throws TIER6003 otherwise. */
export function ensureCheckpointDir(dir: string): void {
  try {
    makeFolder(dir);
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new TrainingError('TIER6003', `The checkpoint directory '${dir}' cannot be written: ${(error as Error).message}.`);
  }
}

/** Saves one checkpoint atomically and applies the retention policy; returns its folder. */
export function saveCheckpoint(
  dir: string, state: CheckpointState, weights: Map<string, Float32Array>, optimizer: Map<string, Float32Array>,
  retention: RetentionPolicy, writer: CheckpointWriter = fsyncWriter, shapes: ReadonlyMap<string, number[]> = new Map(),
): string {
  ensureCheckpointDir(dir);
  const name = `step-${String(state.step).padStart(8, '0')}`;
  const final = join(dir, name);
  const temp = temporaryPath(join(dir, `.${name}`));
  rmSync(temp, { recursive: true, force: true });
  try {
    mkdirSync(temp);
    writer.writeFile(join(temp, 'model.safetensors'), encodeSafetensors(asTensors(weights, shapes), { spec_hash: state.specHash, step: String(state.step) }));
    writer.writeFile(join(temp, 'optimizer.safetensors'), encodeSafetensors(asTensors(optimizer, shapes)));
    // The keep-best rule goes into state.json, so that tools given the run folder can pick the best checkpoint.
    const keepBest = retention.metric !== undefined && retention.keepBest > 0 ? { keepBest: { metric: retention.metric, mode: retention.mode ?? 'min' } } : {};
    writer.writeFile(join(temp, 'state.json'), Buffer.from(JSON.stringify({ ...state, ...keepBest }, null, 1) + '\n'));
    rmSync(final, { recursive: true, force: true });
    renameSync(temp, final);
    syncDir(dir);
  } catch (error) {
    removeTemporary(temp);
    if (error instanceof TrainingError) throw error;
    throw new TrainingError('TIER6004', `Writing checkpoint '${final}' failed: ${errorNaming(error as Error, temp, final).message}. The previous checkpoints are unchanged.`);
  }
  applyRetention(dir, retention);
  return final;
}

/** A `step-NNNNNNNN` folder that is not a checkpoint, because its state.json is missing or unreadable. */
export interface SkippedCheckpoint {
  path: string;
  step: number;
  /** Why it was skipped: 'has no state.json' or 'has an unreadable state.json (MESSAGE)'. */
  reason: string;
}

/**
 * Checkpoint folders in `dir`, oldest first; folders without a readable state.json are skipped.
 * A `dir` that is missing or is not a folder has none; `ensureCheckpointDir` reports the latter.
 */
export function listCheckpoints(dir: string): { path: string; step: number; state: CheckpointState }[] {
  return scanCheckpoints(dir).checkpoints;
}

/** Lists the checkpoint folders in `dir` as `listCheckpoints` does, and the step folders it skips, both oldest first. */
export function scanCheckpoints(dir: string): { checkpoints: { path: string; step: number; state: CheckpointState }[]; skipped: SkippedCheckpoint[] } {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { checkpoints: [], skipped: [] };
  const found: { path: string; step: number; state: CheckpointState }[] = [];
  const skipped: SkippedCheckpoint[] = [];
  for (const entry of readdirSync(dir)) {
    const match = STEP_DIR.exec(entry);
    if (!match) continue;
    const path = join(dir, entry);
    const step = Number(match[1]);
    if (!existsSync(join(path, 'state.json'))) {
      skipped.push({ path, step, reason: 'has no state.json' });
      continue;
    }
    try {
      const state = JSON.parse(readFileSync(join(path, 'state.json'), 'utf8')) as CheckpointState;
      found.push({ path, step, state });
    } catch (error) {
      skipped.push({ path, step, reason: `has an unreadable state.json (${(error as Error).message.replace(/\.$/, '')})` });
    }
  }
  return { checkpoints: found.sort((a, b) => a.step - b.step), skipped: skipped.sort((a, b) => a.step - b.step) };
}

/**
 * Returns one TIER6022 warning per step folder in `skipped` newer than step `newest`, the newest
 * readable checkpoint. `consequence` completes the sentence "…, so CONSEQUENCE".
 */
export function skippedCheckpointWarnings(skipped: readonly SkippedCheckpoint[], newest: number, consequence: string): Diagnostic[] {
  return skipped
    .filter((folder) => folder.step > newest)
    .map((folder) => trainingWarning('TIER6022', `The checkpoint folder '${folder.path}' ${folder.reason}, so ${consequence}; complete or delete '${basename(folder.path)}' to stop this warning.`));
}

/**
 * Loads the newest checkpoint in `dir`, with its optimizer state, and checks it belongs to
 * `specHash`. Newer step folders without a readable state.json go to `onDiagnostic` as TIER6022.
 */
export function loadLatestCheckpoint(dir: string, specHash: string, onDiagnostic?: (diagnostic: Diagnostic) => void): Checkpoint {
  const { checkpoints, skipped } = scanCheckpoints(dir);
  const latest = checkpoints[checkpoints.length - 1];
  if (latest === undefined) {
    const unusable = skipped.map((folder) => `'${basename(folder.path)}' ${folder.reason}`).join(', and ');
    throw new TrainingError('TIER6015', `There is no checkpoint in '${dir}' to resume from${unusable === '' ? '' : ` (${unusable})`}.`);
  }
  const consequence = `--resume continues from the older checkpoint '${basename(latest.path)}' (step ${latest.step}) instead`;
  for (const warning of skippedCheckpointWarnings(skipped, latest.step, consequence)) onDiagnostic?.(warning);
  return loadCheckpoint(latest.path, specHash, { purpose: 'resuming', remedy: resumeRemedy(dir) });
}

/**
 * Returns advice for when the newest checkpoint in `dir` cannot be resumed from: resume from
 * the checkpoint before it once the newest is moved away, or start a new run.
 */
export function resumeRemedy(dir: string): string {
  const all = listCheckpoints(dir);
  const latest = all.at(-1);
  const previous = all.at(-2);
  const fresh = 'train without --resume into a new run folder (--out)';
  if (latest === undefined) return fresh;
  if (previous === undefined) return `${fresh}, or delete '${dir}' to start this run over`;
  return `move or delete the checkpoint folder '${basename(latest.path)}' so that --resume continues from '${basename(previous.path)}', or ${fresh}`;
}

/** A checkpoint chosen from a run folder, with the reason for the choice. */
export interface ChosenCheckpoint {
  path: string;
  step: number;
  /** 'newest', or 'best by METRIC (VALUE)' when the run kept the best K checkpoints by METRIC. */
  choice: string;
  /** TIER6022 for each step folder newer than the newest checkpoint that lacks a readable state.json. */
  warnings: Diagnostic[];
}

/**
 * Chooses the checkpoint that `--weights RUN` means in `dir`, a run folder with checkpoints/ or
 * the checkpoints folder itself. When the newest checkpoint records a keep-best rule, this is the
 * best checkpoint by that metric (the newer one on a tie). Otherwise, or when no checkpoint has a
 * finite value of the metric, it is the newest. Returns undefined when `dir` has no checkpoint.
 */
export function chooseRunCheckpoint(dir: string): ChosenCheckpoint | undefined {
  const folder = existsSync(join(dir, 'checkpoints')) ? join(dir, 'checkpoints') : dir;
  const { checkpoints: all, skipped } = scanCheckpoints(folder);
  const newest = all.at(-1);
  if (newest === undefined) return undefined;
  const warnings = (used: { path: string; step: number }) => skippedCheckpointWarnings(skipped, newest.step, `the run's checkpoint is chosen among the older ones: '${basename(used.path)}' (step ${used.step})`);
  const rule = newest.state.keepBest;
  if (rule !== undefined) {
    const sign = rule.mode === 'max' ? -1 : 1;
    const ranked = all
      .filter((c) => Number.isFinite(c.state.metrics?.[rule.metric]))
      .sort((a, b) => sign * (a.state.metrics[rule.metric]! - b.state.metrics[rule.metric]!) || b.step - a.step);
    const best = ranked[0];
    if (best !== undefined) return { path: best.path, step: best.step, choice: `best by ${rule.metric} (${best.state.metrics[rule.metric]})`, warnings: warnings(best) };
  }
  return { path: newest.path, step: newest.step, choice: 'newest', warnings: warnings(newest) };
}

export interface LoadCheckpointOptions {
  /** The use of the files, named in the message of a missing file; 'resuming' reads optimizer.safetensors too. */
  purpose: 'resuming' | 'reading its weights';
  /** Advice on what to do instead, appended to the message of a missing or invalid file. */
  remedy: string;
}

/**
 * Reads a checkpoint folder and checks that it belongs to `specHash`. A missing file is TIER6019
 * and an unreadable or invalid one TIER6006; both messages name the folder and end with `remedy`.
 */
export function loadCheckpoint(path: string, specHash: string, options: LoadCheckpointOptions = { purpose: 'resuming', remedy: 'pass another checkpoint' }): Checkpoint {
  const needed = options.purpose === 'resuming' ? ['state.json', 'model.safetensors', 'optimizer.safetensors'] : ['state.json', 'model.safetensors'];
  for (const file of needed) {
    if (!existsSync(join(path, file))) {
      throw new TrainingError('TIER6019', `The checkpoint folder '${path}' has no '${file}', which ${options.purpose} needs; ${options.remedy}.`);
    }
  }
  let state: CheckpointState;
  try {
    state = JSON.parse(readFileSync(join(path, 'state.json'), 'utf8')) as CheckpointState;
  } catch (error) {
    throw new TrainingError('TIER6006', `The checkpoint state '${join(path, 'state.json')}' cannot be read: ${(error as Error).message}; ${options.remedy}.`);
  }
  if (state.specHash !== specHash) {
    throw new TrainingError('TIER6005', `The checkpoint '${path}' was written by spec '${state.specFile}' with a different model (spec hash ${state.specHash.slice(0, 12)}, this model ${specHash.slice(0, 12)}).`);
  }
  const weights = readFloatTensors(join(path, 'model.safetensors'), options.remedy);
  const optimizer = options.purpose === 'resuming' ? readFloatTensors(join(path, 'optimizer.safetensors'), options.remedy) : new Map<string, Float32Array>();
  return { path, state, weights, optimizer };
}

function readFloatTensors(file: string, remedy: string): Map<string, Float32Array> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new TrainingError('TIER6006', `The checkpoint file '${file}' cannot be read: ${(error as Error).message}; ${remedy}.`);
  }
  try {
    const parsed = decodeSafetensors(bytes, file);
    const out = new Map<string, Float32Array>();
    for (const [name, tensor] of parsed.tensors) out.set(name, Float32Array.from(tensor.data));
    return out;
  } catch (error) {
    if (error instanceof SafetensorsError) throw new TrainingError('TIER6006', `${error.message.replace(/\.$/, '')}; ${remedy}.`);
    throw error;
  }
}

/** Tensors with their shapes; an optimizer slot `m/<param>` takes the shape of `<param>`. */
function asTensors(values: Map<string, Float32Array>, shapes: ReadonlyMap<string, number[]>): Map<string, SafeTensor> {
  const tensors = new Map<string, SafeTensor>();
  for (const [name, data] of values) {
    const shape = shapes.get(name) ?? shapes.get(name.slice(name.indexOf('/') + 1)) ?? [data.length];
    tensors.set(name, { dtype: 'F32', shape: shape.reduce((a, b) => a * b, 1) === data.length ? shape : [data.length], data });
  }
  return tensors;
}

function applyRetention(dir: string, policy: RetentionPolicy): void {
  const all = listCheckpoints(dir);
  const keep = new Set(all.slice(Math.max(0, all.length - policy.keepLast)).map((c) => c.path));
  if (policy.metric !== undefined && policy.keepBest > 0) {
    const metric = policy.metric;
    const sign = policy.mode === 'max' ? -1 : 1;
    const ranked = all.filter((c) => Number.isFinite(c.state.metrics[metric])).sort((a, b) => sign * (a.state.metrics[metric]! - b.state.metrics[metric]!));
    for (const c of ranked.slice(0, policy.keepBest)) keep.add(c.path);
  }
  for (const c of all) if (!keep.has(c.path)) rmSync(c.path, { recursive: true, force: true });
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems do not allow fsync on a directory; the rename is still atomic.
  }
}
