// Evaluation during training: at each checkpoint the current weights run over the split of
// every eval block in the setup, giving the validation loss terms and, for a block with
// zero-shot labels, the zero-shot macro AUROC. The pass over the split and the zero-shot scoring
// are the evaluator's own (`embedSplit`, `evaluateZeroShot`); the loss terms come from the same
// forward passes.
import type { Dataset } from '../data/index.js';
import { evaluateZeroShot } from '../eval/index.js';
import type { BackendName } from '../runtime/backend.js';
import type { CompiledModel } from '../runtime/model.js';
import { lossWeight } from '../runtime/schedule.js';
import type { TrainEvaluation } from '../runtime/trainer.js';
import { embedSplit, promptEncoder } from './embed.js';
import { labelColumns } from './evaluate.js';
import { createModelRunner } from './forward.js';
import type { TrainingSetup } from './setup.js';

type EvalRun = Awaited<ReturnType<TrainEvaluation['run']>>;

/**
 * Returns the evaluation the trainer calls; `datasets` has the data of each eval block by data
 * block name, opened without augmentation. `backend` returns the backend the trainer chose,
 * because the runner must create its tensors there. Metrics are named `eval.NAME.METRIC`, the
 * form that "keep best N by eval.NAME.METRIC" uses.
 */
export function trainingEvaluation(model: CompiledModel, setup: TrainingSetup, datasets: ReadonlyMap<string, Dataset>, backend: () => BackendName): TrainEvaluation['run'] {
  return async (step, weights) => {
    const runner = createModelRunner(model, weights, backend());
    const result: EvalRun = { metrics: {}, rows: [] };
    try {
      for (const config of setup.evals) {
        const dataset = datasets.get(config.data.name);
        if (dataset === undefined) throw new Error(`No dataset was opened for data '${config.data.name}' of eval block '${config.name}'.`);
        const sums: Record<string, number> = {};
        let rows = 0;
        // Each batch's mean terms weighted by its rows; a short last batch has fewer contrastive negatives.
        runner.onLosses = (terms, count) => {
          for (const [name, value] of Object.entries(terms)) sums[name] = (sums[name] ?? 0) + value * count;
          rows += count;
        };
        const split = await embedSplit(runner, dataset, config.data.split, config.batch, 0);
        runner.onLosses = undefined;

        const prefix = `eval.${config.name}.`;
        const row: { step: number } & Record<string, unknown> = { step, split: config.data.split, eval: config.name };
        let total = 0;
        for (const loss of model.MODEL.losses) {
          const mean = (sums[loss.name] ?? Number.NaN) / rows;
          // The weights of the last training step, so the validation total matches the training one.
          total += mean * lossWeight(loss.weight, Math.max(0, step - 1));
          result.metrics[`${prefix}loss_${loss.name}`] = mean;
          row[`loss/${loss.name}`] = mean;
        }
        result.metrics[`${prefix}loss`] = total;
        row.loss = total;

        if (config.zeroshot !== undefined && Object.keys(config.zeroshot.labels).length > 0) {
          const text = { maxLen: setup.preprocess.text.maxLen, padding: setup.preprocess.text.padding };
          const zeroShot = await evaluateZeroShot({
            checkpoints: [{ name: `step ${step}`, imageEmbeddings: split.image, encodeText: promptEncoder(runner, dataset.tokenizer, text) }],
            prompts: { labels: config.zeroshot.labels, negatives: config.zeroshot.negatives },
            labels: labelColumns(split, dataset.manifest.labelNames),
            score: { rule: config.zeroshot.score },
            bootstrap: false,
          });
          // A macro AUROC is undefined when no label has both classes; NaN keeps it out of the ranking.
          const auroc = zeroShot.table.macro.auroc ?? Number.NaN;
          result.metrics[`${prefix}mean_auroc`] = auroc;
          row.mean_auroc = auroc;
        }
        // The report draws every numeric field of a row as a curve, so the duration goes to the trainer's onEvaluation hook instead.
        result.rows.push(row);
      }
    } finally {
      runner.dispose();
    }
    return result;
  };
}
