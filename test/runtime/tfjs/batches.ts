// Batch helpers for the training tests: a slice of a batch's rows, and a data source that
// replays a fixed list of batches.
import type { Batch, DataSource } from '../../../src/runtime/index.js';

/** Rows [start, start + count) of a batch. */
export function rowsOf(batch: Batch, start: number, count: number): Batch {
  const [, c, h, w] = batch.imageShape;
  const [, t] = batch.tokenShape;
  const image = c * h * w;
  return {
    images: batch.images.slice(start * image, (start + count) * image), imageShape: [count, c, h, w],
    tokenIds: batch.tokenIds.slice(start * t, (start + count) * t), tokenShape: [count, t],
    attentionMask: batch.attentionMask!.slice(start * t, (start + count) * t), eotIndex: batch.eotIndex!.slice(start, start + count),
  };
}

export function listSource(batches: Batch[]): DataSource {
  let index = 0;
  return { next: async () => batches[index++], cursor: () => index, seek: (c) => void (index = c as number) };
}
