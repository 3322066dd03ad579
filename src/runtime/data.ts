// The trainer's view of data: an async source of batches with a cursor that a checkpoint
// stores and `seek` restores, so a resumed run sees the batches it would have seen. Any
// loader fits by wrapping it in this interface; `syntheticDataSource` makes random batches
// for tests and benchmarks, derived from (seed, cursor) alone.
import { mixSeed, createRng } from './rng.js';

export interface Batch {
  /** f32 [batch, channel, height, width]. */
  images: Float32Array;
  imageShape: [number, number, number, number];
  /** i32 [batch, token]. */
  tokenIds: Int32Array;
  tokenShape: [number, number];
  /** f32 [batch, token]: 1 for real tokens, 0 for padding. */
  attentionMask?: Float32Array;
  /** i32 [batch]: position of the end-of-text token per row. */
  eotIndex?: Int32Array;
  labels?: Float32Array;
}

/** A JSON value that identifies the position in the data stream. */
export type DataCursor = unknown;

export interface DataSource {
  /** The next batch, or undefined at the end of the data (an epoch-based source may wrap around instead). */
  next(): Promise<Batch | undefined>;
  /** The position before the batch `next` would return. */
  cursor(): DataCursor;
  /** Moves to a position `cursor` returned earlier. */
  seek(cursor: DataCursor): void;
}

export interface SyntheticDataOptions {
  batchSize: number;
  channels: number;
  imageSize: number;
  tokens: number;
  vocab: number;
  seed: number;
}

/**
 * Random images in [0, 1) and captions of random length ending in the highest token id,
 * zero-padded, as the peer PyTorch benchmark makes them. Batch `i` depends only on (seed, i).
 */
export function syntheticDataSource(options: SyntheticDataOptions): DataSource {
  let index = 0;
  return {
    async next() {
      const batch = syntheticBatch(options, index);
      index += 1;
      return batch;
    },
    cursor: () => ({ batch: index }),
    seek(cursor) {
      const value = (cursor as { batch?: unknown } | null)?.batch;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new Error(`Invalid synthetic data cursor ${JSON.stringify(cursor)}.`);
      index = value;
    },
  };
}

export function syntheticBatch(options: SyntheticDataOptions, index: number): Batch {
  const { batchSize: b, channels: c, imageSize: s, tokens: t, vocab } = options;
  const rng = createRng(mixSeed(options.seed, index));
  const images = new Float32Array(b * c * s * s);
  for (let i = 0; i < images.length; i++) images[i] = rng.next();
  const tokenIds = new Int32Array(b * t);
  const attentionMask = new Float32Array(b * t);
  const eotIndex = new Int32Array(b);
  for (let row = 0; row < b; row++) {
    const length = Math.max(2, Math.floor(t / 4) + Math.floor(rng.next() * (t - Math.floor(t / 4) + 1)));
    const used = Math.min(length, t);
    for (let j = 0; j < used - 1; j++) tokenIds[row * t + j] = 1 + Math.floor(rng.next() * (vocab - 2));
    tokenIds[row * t + used - 1] = vocab - 1;
    for (let j = 0; j < used; j++) attentionMask[row * t + j] = 1;
    eotIndex[row] = used - 1;
  }
  return { images, imageShape: [b, c, s, s], tokenIds, tokenShape: [b, t], attentionMask, eotIndex };
}
