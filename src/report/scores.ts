// The JSON forms of zero-shot evaluation data:
//
// - scores input (`tierc eval --scores`, or eval.json of a run): `{ "labels": { NAME: [1, 0, -1,
//   null, …] }, "scores": { NAME: [0.3, …] }, "policy"?: {…}, "bootstrap"?: {…} }`;
// - AUROC result (`tierc eval --json`): `{ "format": "tierc-auroc-v1", "table": AurocTable }`;
// - several models for comparison: `{ "models": [ { "name": "…", …either form… } ] }`.
import {
  EvalError,
  aurocTable,
  type AurocTable,
  type BootstrapOptions,
  type LabelPolicy,
  type LabelValue,
} from '../eval/index.js';
import { describeJson, expectObject } from './files.js';

export const aurocFormat = 'tierc-auroc-v1';

export interface ScoresInput {
  labels: Record<string, LabelValue[]>;
  scores: Record<string, (number | null)[]>;
  policy?: LabelPolicy;
  bootstrap?: BootstrapOptions;
}

/** A checkpoint whose scores an AUROC table comes from, as `tierc eval` records it. */
export interface ScoredCheckpoint {
  /** The checkpoint folder or file name, such as 'step-00000200'. */
  name: string;
  /** The training step, or null for a bare .safetensors file. */
  step: number | null;
  /** The rule that chose a run folder's checkpoint ('newest' or 'best by METRIC (VALUE)'); absent for a named checkpoint. */
  choice?: string;
}

export interface NamedTable {
  name: string;
  table: AurocTable;
  /** The checkpoints scored, their scores averaged when there are several. */
  checkpoints?: ScoredCheckpoint[];
}

/** Checks the scores-input form and returns it typed; errors name the JSON path of the bad value. */
export function parseScoresInput(value: unknown, file: string): ScoresInput {
  const object = expectObject(value, file, '(top level)');
  const labels = expectObject(object.labels, file, 'labels');
  const scores = expectObject(object.scores, file, 'scores');
  for (const [name, column] of Object.entries(labels)) {
    if (!Array.isArray(column)) throw invalid(file, `labels.${name}`, `Expected an array of label values, found ${describeJson(column)}.`);
    column.forEach((entry, index) => {
      if (entry !== null && typeof entry !== 'number' && typeof entry !== 'string') {
        throw invalid(file, `labels.${name}[${index}]`, `Expected 1, 0, -1, null or "", found ${describeJson(entry)}.`);
      }
    });
  }
  for (const [name, column] of Object.entries(scores)) {
    if (!Array.isArray(column)) throw invalid(file, `scores.${name}`, `Expected an array of scores, found ${describeJson(column)}.`);
    column.forEach((entry, index) => {
      if (entry !== null && typeof entry !== 'number') throw invalid(file, `scores.${name}[${index}]`, `Expected a number, found ${describeJson(entry)}.`);
    });
  }
  const input: ScoresInput = { labels: labels as Record<string, LabelValue[]>, scores: scores as Record<string, (number | null)[]> };
  if (object.policy !== undefined) input.policy = expectObject(object.policy, file, 'policy') as LabelPolicy;
  if (object.bootstrap !== undefined) input.bootstrap = expectObject(object.bootstrap, file, 'bootstrap') as BootstrapOptions;
  return input;
}

/**
 * Averages the scores of several inputs (one per checkpoint of an ensemble) image by image. The
 * label columns must be identical in every file; a score that is null in any file stays null.
 * Policy and bootstrap settings come from the first input.
 */
export function ensembleScoresInputs(inputs: readonly ScoresInput[], files: readonly string[]): ScoresInput {
  const first = inputs[0] as ScoresInput;
  inputs.forEach((input, index) => {
    const file = files[index] as string;
    const names = Object.keys(input.labels);
    const sameNames = JSON.stringify(names) === JSON.stringify(Object.keys(first.labels)) && JSON.stringify(Object.keys(input.scores)) === JSON.stringify(Object.keys(first.scores));
    if (!sameNames) {
      throw new EvalError({ code: 'TIER7015', file, message: `The file has labels [${names.join(', ')}] but '${files[0]}' has [${Object.keys(first.labels).join(', ')}], and ensembled files must score the same labels.` });
    }
    for (const name of names) {
      const column = input.labels[name] as LabelValue[];
      const reference = first.labels[name] as LabelValue[];
      const differs = column.length !== reference.length || column.some((value, k) => value !== reference[k]);
      if (differs) {
        throw new EvalError({ code: 'TIER7015', file, location: `labels.${name}`, message: `The labels differ from those in '${files[0]}', but ensembled files must describe the same images in the same order.` });
      }
      if ((input.scores[name] as unknown[]).length !== (first.scores[name] as unknown[]).length) {
        throw new EvalError({ code: 'TIER7015', file, location: `scores.${name}`, message: `There are ${(input.scores[name] as unknown[]).length} scores but '${files[0]}' has ${(first.scores[name] as unknown[]).length}.` });
      }
    }
  });
  const scores: Record<string, (number | null)[]> = {};
  for (const [name, column] of Object.entries(first.scores)) {
    scores[name] = column.map((_, k) => {
      let sum = 0;
      for (const input of inputs) {
        const value = (input.scores[name] as (number | null)[])[k];
        if (value === null || value === undefined) return null;
        sum += value;
      }
      return sum / inputs.length;
    });
  }
  return { ...first, scores };
}

/** Computes the AUROC table of a scores input; errors from the metrics carry `file`. */
export function tableFromScores(input: ScoresInput, file: string, bootstrap?: BootstrapOptions | false): AurocTable {
  try {
    return aurocTable(input.scores, input.labels, {
      ...(input.policy === undefined ? {} : { policy: input.policy }),
      bootstrap: bootstrap ?? input.bootstrap ?? false,
    });
  } catch (error) {
    if (error instanceof EvalError && error.issue.file === undefined) throw new EvalError({ ...error.issue, file });
    throw error;
  }
}

/** Reads eval.json in any of its three forms and returns one table per model. */
export function evaluationsFromJson(value: unknown, file: string): NamedTable[] {
  const object = expectObject(value, file, '(top level)');
  if ('models' in object) {
    if (!Array.isArray(object.models) || object.models.length === 0) throw invalid(file, 'models', 'Expected a non-empty array of models.');
    return object.models.map((entry, index) => {
      const model = expectObject(entry, file, `models[${index}]`);
      const name = typeof model.name === 'string' ? model.name : `model ${index + 1}`;
      return withCheckpoints({ name, table: tableFromObject(model, file, `models[${index}]`) }, model, file, `models[${index}].checkpoints`);
    });
  }
  // `tierc eval -o` records the scores file it read as 'source'; it names the column when no name is given.
  const name = typeof object.name === 'string' ? object.name : typeof object.source === 'string' ? object.source : 'model';
  return [withCheckpoints({ name, table: tableFromObject(object, file, '') }, object, file, 'checkpoints')];
}

/** Adds the optional `checkpoints` list of an eval.json entry to `entry`, checking each field. */
function withCheckpoints(entry: NamedTable, object: Record<string, unknown>, file: string, location: string): NamedTable {
  if (object.checkpoints === undefined) return entry;
  if (!Array.isArray(object.checkpoints)) throw invalid(file, location, `Expected an array of checkpoints, found ${describeJson(object.checkpoints)}.`);
  entry.checkpoints = object.checkpoints.map((value, index) => {
    const where = `${location}[${index}]`;
    const checkpoint = expectObject(value, file, where);
    if (typeof checkpoint.name !== 'string') throw invalid(file, `${where}.name`, `Expected the checkpoint name as a string, found ${describeJson(checkpoint.name)}.`);
    if (checkpoint.step !== null && !Number.isInteger(checkpoint.step)) throw invalid(file, `${where}.step`, `Expected a whole step number or null, found ${describeJson(checkpoint.step)}.`);
    const scored: ScoredCheckpoint = { name: checkpoint.name, step: checkpoint.step as number | null };
    if (typeof checkpoint.choice === 'string') scored.choice = checkpoint.choice;
    return scored;
  });
  return entry;
}

function tableFromObject(object: Record<string, unknown>, file: string, location: string): AurocTable {
  if (object.format === aurocFormat) {
    const table = expectObject(object.table, file, join(location, 'table'));
    if (!Array.isArray(table.rows) || typeof table.macro !== 'object' || table.macro === null) {
      throw invalid(file, join(location, 'table'), "Expected an AUROC table with 'rows' and 'macro', as `tierc eval --json` writes.");
    }
    return table as unknown as AurocTable;
  }
  if ('labels' in object && 'scores' in object) {
    try {
      return tableFromScores(parseScoresInput(object, file), file);
    } catch (error) {
      if (error instanceof EvalError && location !== '' && error.issue.location !== undefined) {
        throw new EvalError({ ...error.issue, location: `${location}.${error.issue.location}` });
      }
      throw error;
    }
  }
  throw invalid(file, location || '(top level)', `Expected 'labels' and 'scores', a 'format' of '${aurocFormat}', or 'models'.`);
}

function join(location: string, key: string): string {
  return location === '' ? key : `${location}.${key}`;
}

function invalid(file: string, location: string, message: string): EvalError {
  return new EvalError({ code: 'TIER7030', file, location, message });
}
