// Checks that `--resume` continues the run that wrote the run folder's newest checkpoint: the
// same trained function (spec hash) and the same batch size. The spec hash covers the loss
// weights too. They are compared first with the settings.json of the earlier run, so that the
// message names a changed weight such as 'lambda_words'.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listCheckpoints } from '../runtime/checkpoint.js';
import { TrainingError } from '../runtime/errors.js';

export interface ResumeSettings {
  specHash: string;
  batch: number;
  /** Weight of each loss term by name, as settings.json records it. */
  lossWeights: Record<string, unknown>;
}

/**
 * Throws TIER6005 when the newest checkpoint in `outDir` comes from another model or other loss
 * weights, naming a weight that settings.json records differently, and TIER6017 when the earlier
 * run used another batch size. Does nothing when there is no checkpoint, because the trainer
 * reports that (TIER6015).
 */
export function checkResume(outDir: string, current: ResumeSettings): void {
  const checkpoints = listCheckpoints(join(outDir, 'checkpoints'));
  const latest = checkpoints[checkpoints.length - 1];
  if (latest === undefined) return;
  const fresh = `start a new run folder with --out, or train without --resume after removing '${join(outDir, 'checkpoints')}'`;

  const previous = readSettings(join(outDir, 'settings.json'));
  if (previous?.lossWeights !== undefined) {
    for (const name of new Set([...Object.keys(previous.lossWeights), ...Object.keys(current.lossWeights)])) {
      const before = JSON.stringify(previous.lossWeights[name] ?? null);
      const now = JSON.stringify(current.lossWeights[name] ?? null);
      if (before !== now) {
        throw new TrainingError('TIER6005', `The checkpoint '${latest.path}' was trained with weight ${before} for loss '${name}', and this spec gives it ${now}; ${fresh}, or restore the old weight.`);
      }
    }
  }
  if (latest.state.specHash !== current.specHash) {
    throw new TrainingError('TIER6005', `The checkpoint '${latest.path}' was written for a different model, loss weights or temperatures (spec hash ${latest.state.specHash.slice(0, 12)}, this spec ${current.specHash.slice(0, 12)}); ${fresh}.`);
  }
  if (previous === undefined) return;
  if (typeof previous.batch === 'number' && previous.batch !== current.batch) {
    throw new TrainingError('TIER6017', `The checkpoint '${latest.path}' was trained with batch size ${previous.batch}, and this run requests batch size ${current.batch}; pass --batch ${previous.batch} to resume, or start a new run folder with --out.`);
  }
}

/** Returns the batch and loss weights from the earlier run's settings.json, or undefined when it is missing or unreadable. */
function readSettings(file: string): { batch?: unknown; lossWeights?: Record<string, unknown> } | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { batch?: unknown; lossWeights?: unknown };
    const lossWeights = typeof parsed.lossWeights === 'object' && parsed.lossWeights !== null ? (parsed.lossWeights as Record<string, unknown>) : undefined;
    return { batch: parsed.batch, ...(lossWeights !== undefined ? { lossWeights } : {}) };
  } catch {
    // NOTE: an unreadable settings.json skips the batch and loss-weight checks; the spec hash is still compared.
    return undefined;
  }
}
