// Opens a spec's data for training and evaluation, and adapts the data layer's loader to the
// trainer's `DataSource`. Epochs follow one another without end. The cursor is the loader's
// (epoch, batch index), so a resumed run continues with the batch it would have seen.
import { openDataset, trainingTransforms, type Dataset, type DataLoader, type Batch as LoaderBatch, type LoaderCursor, type TransformSpec } from '../data/index.js';
import type { Batch, DataSource } from '../runtime/data.js';
import type { SpecPlan } from './spec.js';
import { requireData } from './spec.js';

const cropOps = new Set(['center_crop', 'random_resized_crop']);

/**
 * Builds the training steps. An augmentation with its own crop replaces the preprocessing crop,
 * as the data layer's `trainingTransforms` does. One without a crop, such as a lone
 * random_affine, goes after the preprocessing crop, so the images still end at a fixed size.
 */
export function specTrainingSteps(preprocess: readonly TransformSpec[], augment: readonly TransformSpec[]): TransformSpec[] {
  if (augment.some((step) => cropOps.has(step.op))) return trainingTransforms(preprocess, augment);
  const tail = preprocess.findIndex((step) => step.op === 'to_rgb' || step.op === 'normalize');
  const at = tail >= 0 ? tail : preprocess.length;
  return [...preprocess.slice(0, at), ...augment, ...preprocess.slice(at)];
}

/** Opens the manifest and tokenizer of the plan's data and preprocess blocks; `training` applies the train block's augmentation. */
export function openSpecDataset(plan: SpecPlan, purpose: string, training = false): Dataset {
  const { data, preprocess } = requireData(plan, purpose);
  const { name: _name, onMissingFile, defaulted: _defaulted, span: _span, ...manifest } = data;
  return openDataset({
    manifest,
    image: { channels: preprocess.channels === 3 ? 3 : 1 },
    onMissing: onMissingFile,
    tokenizer: { path: preprocess.text.tokenizer as string, maxLen: preprocess.text.maxLen, padding: preprocess.text.padding },
    preprocess: training ? specTrainingSteps(preprocess.image, plan.train?.augment ?? []) : preprocess.image,
  });
}

/** Converts a loader batch to the trainer's batch (float attention mask). */
export function toTrainerBatch(batch: LoaderBatch): Batch {
  return {
    images: batch.images,
    imageShape: batch.imageShape,
    tokenIds: batch.tokenIds,
    tokenShape: batch.tokenShape,
    attentionMask: Float32Array.from(batch.attentionMask),
    eotIndex: batch.eotIndex,
    labels: batch.labels,
  };
}

/** Wraps `loader` in a `DataSource` that runs epoch after epoch; close the loader when training ends. */
export function loaderDataSource(loader: DataLoader): DataSource {
  let cursor: LoaderCursor = { epoch: 0, index: 0 };
  let iterator: AsyncGenerator<LoaderBatch, void, undefined> | undefined;
  return {
    async next() {
      for (let attempt = 0; attempt < 2; attempt++) {
        if (cursor.index >= loader.batchesPerEpoch) {
          cursor = { epoch: cursor.epoch + 1, index: 0 };
          iterator = undefined;
        }
        iterator ??= loader.batches(cursor);
        const step = await iterator.next();
        if (!step.done) {
          cursor = step.value.cursor;
          return toTrainerBatch(step.value);
        }
        cursor = { epoch: cursor.epoch + 1, index: 0 };
        iterator = undefined;
      }
      return undefined;
    },
    cursor: () => ({ ...cursor }),
    seek(value) {
      const epoch = (value as { epoch?: unknown } | null)?.epoch;
      const index = (value as { index?: unknown } | null)?.index;
      if (!Number.isInteger(epoch) || !Number.isInteger(index) || (epoch as number) < 0 || (index as number) < 0) {
        throw new Error(`Invalid data cursor ${JSON.stringify(value)}; expected {"epoch": N, "index": N}.`);
      }
      void iterator?.return(undefined);
      iterator = undefined;
      cursor = { epoch: epoch as number, index: index as number };
    },
  };
}
