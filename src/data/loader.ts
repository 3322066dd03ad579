// The training data loader: batches of images, token ids, masks and labels, decoded and
// augmented ahead of the training step in worker threads. The order of an epoch comes from
// (seed, epoch) alone and each sample's augmentation from (seed, epoch, row), so batches are
// the same whatever the worker timing, and a cursor (epoch, batch index) resumes exactly.
import { DataError, type DataIssue } from './errors.js';
import type { ImageDecodeOptions } from './image.js';
import type { ManifestRow } from './manifest.js';
import { createRandom, mixSeed, shuffled } from './random.js';
import { loadBatchImages, type BatchImages, type ImageStage, type SampleJob } from './sample.js';
import { encodeText, padBatch, type EncodeOptions } from './tokenizer/encode.js';
import type { TextTokenizer } from './tokenizer/types.js';
import { validateTransforms, type TransformSpec } from './transforms.js';
import { WorkerPool } from './worker-pool.js';

export interface LoaderOptions {
  rows: readonly ManifestRow[];
  /** Image root; paths are checked again when opened, symbolic links included. */
  root: string;
  /** Manifest file and image column, used only to name them in errors. */
  manifestFile?: string;
  imageColumn?: string;
  image?: ImageDecodeOptions;
  /** Steps after decoding; they must end at one fixed size (a crop or an exact resize). */
  transforms: TransformSpec[];
  tokenizer: TextTokenizer;
  text: EncodeOptions;
  batchSize: number;
  /** Shuffle every epoch; default true. */
  shuffle?: boolean;
  /** Drop the last incomplete batch; default false. */
  dropLast?: boolean;
  seed?: number;
  /** Worker threads; 0 decodes in the calling thread. Default 2. */
  workers?: number;
  /** Batches prepared ahead of the one being consumed; default 4. */
  prefetch?: number;
  /** 'fail' (default) stops at the first unusable image; 'skip' drops it from its batch and records it. */
  onMissing?: 'fail' | 'skip';
  /** 'nchw' (default) gives images as [batch, channels, height, width]; 'nhwc' as [batch, height, width, channels], the order tfjs convolutions take. */
  layout?: 'nchw' | 'nhwc';
}

export interface LoaderCursor {
  epoch: number;
  /** Index of the next batch within the epoch. */
  index: number;
}

export interface Batch {
  /** [batch, channels, height, width] row-major, or [batch, height, width, channels] with layout 'nhwc'. */
  images: Float32Array;
  /** The shape of `images` in its layout. */
  imageShape: [number, number, number, number];
  /** [batch, token], row-major. */
  tokenIds: Int32Array;
  attentionMask: Int32Array;
  /** [batch]: index of the last real token of each text. */
  eotIndex: Int32Array;
  tokenShape: [number, number];
  /** [batch, labels]: 1 present, 0 absent or unknown. */
  labels: Float32Array;
  /** [batch, labels]: 1 where the label is known. */
  labelMask: Uint8Array;
  /** 0-based manifest row index of each sample. */
  rowIds: Int32Array;
  texts: string[];
  /** Rows of this batch that were skipped (only with onMissing 'skip'). */
  skipped: DataIssue[];
  /** Position of the next batch; pass it to `batches()` to resume after this batch. */
  cursor: LoaderCursor;
}

export interface LoaderStats {
  batches: number;
  /** Milliseconds the consumer waited for a batch that was not ready. */
  waitMs: number;
  /** Milliseconds from the first request to the last batch handed out. */
  totalMs: number;
  /** waitMs / totalMs: near 0 when loading keeps up with training. */
  dataWaitFraction: number;
  skipped: DataIssue[];
}

export class DataLoader {
  readonly batchesPerEpoch: number;
  /** [channels, height, width] of each image. */
  readonly sampleShape: [number, number, number];
  private readonly stage: ImageStage;
  private pool: WorkerPool | undefined;
  private waitMs = 0;
  private firstRequest: number | undefined;
  private lastDelivery = 0;
  private batchCount = 0;
  private readonly skippedIssues: DataIssue[] = [];
  /** Token ids per manifest row index; a row's text never changes, so it is encoded once. */
  private readonly encodedTexts = new Map<number, { ids: number[]; fullLength: number }>();
  private closed = false;

  constructor(private readonly options: LoaderOptions) {
    if (!(Number.isInteger(options.batchSize) && options.batchSize > 0)) throw new RangeError(`batchSize must be a positive integer, but it is ${options.batchSize}.`);
    const inputChannels = options.image?.channels ?? 1;
    const { issues, shape } = validateTransforms(options.transforms, inputChannels);
    if (issues.length > 0) throw new DataError(issues[0] as DataIssue);
    if (shape === undefined) {
      throw new DataError({ code: 'TIER5031', message: "The image steps do not end at one fixed size; end them with 'center_crop', 'random_resized_crop' or a resize to [height, width]." });
    }
    this.sampleShape = shape;
    const count = options.rows.length;
    this.batchesPerEpoch = options.dropLast ? Math.floor(count / options.batchSize) : Math.ceil(count / options.batchSize);
    this.stage = { root: options.root, decode: options.image ?? {}, transforms: options.transforms, seed: options.seed ?? 0, shape, layout: options.layout ?? 'nchw' };
    const workers = options.workers ?? 2;
    if (workers > 0) this.pool = new WorkerPool(workers, this.stage);
  }

  /** Returns the manifest rows of an epoch in the order they are batched. */
  epochOrder(epoch: number): ManifestRow[] {
    const rows = this.options.rows;
    if (this.options.shuffle === false) return rows.slice();
    return shuffled(rows, createRandom(mixSeed(this.options.seed ?? 0, epoch, 0x5eed)));
  }

  /**
   * Yields the batches of one epoch, from `from.index` (default 0). Breaking out of the loop
   * stops prefetching; the workers stay for the next epoch until `close()`.
   */
  async *batches(from: LoaderCursor | number = 0): AsyncGenerator<Batch, void, undefined> {
    if (this.closed) throw new DataError({ code: 'TIER5032', message: 'The data loader is closed.' });
    const cursor = typeof from === 'number' ? { epoch: from, index: 0 } : from;
    const order = this.epochOrder(cursor.epoch);
    const prefetch = Math.max(1, this.options.prefetch ?? 4);
    const pending = new Map<number, Promise<BatchImages>>();
    const schedule = (index: number): void => {
      if (index >= this.batchesPerEpoch || pending.has(index)) return;
      const promise = this.loadImages(cursor.epoch, this.batchRows(order, index));
      // A batch abandoned by an early exit must not surface as an unhandled rejection.
      promise.catch(() => undefined);
      pending.set(index, promise);
    };
    try {
      for (let index = cursor.index; index < this.batchesPerEpoch; index++) {
        for (let ahead = index; ahead < index + prefetch; ahead++) schedule(ahead);
        const requested = performance.now();
        this.firstRequest ??= requested;
        const images = await (pending.get(index) as Promise<BatchImages>);
        pending.delete(index);
        this.waitMs += performance.now() - requested;
        const batch = this.assemble(this.batchRows(order, index), images, { epoch: cursor.epoch, index: index + 1 });
        this.batchCount += 1;
        this.lastDelivery = performance.now();
        yield batch;
      }
    } finally {
      pending.clear();
    }
  }

  stats(): LoaderStats {
    const totalMs = this.firstRequest === undefined ? 0 : Math.max(this.lastDelivery, performance.now()) - this.firstRequest;
    return { batches: this.batchCount, waitMs: this.waitMs, totalMs, dataWaitFraction: totalMs > 0 ? this.waitMs / totalMs : 0, skipped: this.skippedIssues.slice() };
  }

  /** Stops the workers; safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.close();
    this.pool = undefined;
  }

  private encodeRow(row: ManifestRow): { ids: number[]; fullLength: number } {
    let encoded = this.encodedTexts.get(row.index);
    if (encoded === undefined) {
      encoded = encodeText(this.options.tokenizer, row.text, this.options.text.maxLen);
      this.encodedTexts.set(row.index, encoded);
    }
    return encoded;
  }

  private batchRows(order: readonly ManifestRow[], index: number): ManifestRow[] {
    return order.slice(index * this.options.batchSize, (index + 1) * this.options.batchSize);
  }

  private loadImages(epoch: number, rows: readonly ManifestRow[]): Promise<BatchImages> {
    const jobs: SampleJob[] = rows.map((row) => ({
      rowIndex: row.index,
      row: row.row,
      line: row.line,
      image: row.image,
      manifestFile: this.options.manifestFile ?? 'manifest',
      imageColumn: this.options.imageColumn ?? 'image',
    }));
    return this.pool !== undefined ? this.pool.run(epoch, jobs) : loadBatchImages(jobs, this.stage, epoch);
  }

  private assemble(rows: readonly ManifestRow[], loaded: BatchImages, cursor: LoaderCursor): Batch {
    const failed = new Set(loaded.failures.map((failure) => failure.position));
    if (failed.size > 0 && this.options.onMissing !== 'skip') throw new DataError((loaded.failures[0] as BatchImages['failures'][number]).issue);
    const skipped = loaded.failures.map((failure) => ({ ...failure.issue, severity: 'warning' as const, code: 'TIER5017', message: `Row skipped: ${failure.issue.message}` }));
    this.skippedIssues.push(...skipped);

    // Images, texts and labels are taken from the same surviving positions, so no text moves onto another image.
    const kept = rows.map((_, position) => position).filter((position) => !failed.has(position));
    const [channels, height, width] = this.sampleShape;
    const size = channels * height * width;
    const images = failed.size === 0 ? loaded.images : new Float32Array(kept.length * size);
    if (failed.size > 0) kept.forEach((position, k) => images.set(loaded.images.subarray(position * size, (position + 1) * size), k * size));
    const keptRows = kept.map((position) => rows[position] as ManifestRow);
    const texts = keptRows.map((row) => row.text);
    const encoded = padBatch(keptRows.map((row) => this.encodeRow(row)), this.options.text, this.options.tokenizer.padId);
    const labelCount = keptRows[0]?.labels.length ?? this.options.rows[0]?.labels.length ?? 0;
    const labels = new Float32Array(keptRows.length * labelCount);
    const labelMask = new Uint8Array(keptRows.length * labelCount);
    keptRows.forEach((row, k) => {
      labels.set(row.labels, k * labelCount);
      labelMask.set(row.labelMask, k * labelCount);
    });
    return {
      images,
      imageShape: this.options.layout === 'nhwc' ? [keptRows.length, height, width, channels] : [keptRows.length, channels, height, width],
      tokenIds: encoded.tokenIds,
      attentionMask: encoded.attentionMask,
      eotIndex: encoded.eotIndex,
      tokenShape: encoded.shape,
      labels,
      labelMask,
      rowIds: Int32Array.from(keptRows, (row) => row.index),
      texts,
      skipped,
      cursor,
    };
  }
}

/** Creates a loader; throws `DataError` when the transforms are invalid or do not end at a fixed size. */
export function createLoader(options: LoaderOptions): DataLoader {
  return new DataLoader(options);
}
