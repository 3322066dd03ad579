// Batch encoding. Truncation to `maxLen` cuts the content and keeps the special tokens at both
// ends. Padding goes to the longest text of the batch or to `maxLen`. Each batch also carries
// attention masks and the position of the last real token, which CLIP-style models pool as
// the end-of-text embedding.
import type { TextTokenizer } from './types.js';

export interface EncodeOptions {
  /** Maximum tokens per text, special tokens included. */
  maxLen: number;
  /** 'longest' pads to the longest text in the batch; 'max_length' always pads to `maxLen`. */
  padding?: 'longest' | 'max_length';
}

export interface EncodedBatch {
  /** Row-major [batch, token] ids. */
  tokenIds: Int32Array;
  /** 1 for real tokens, 0 for padding, same layout as `tokenIds`. */
  attentionMask: Int32Array;
  /** Index of the last real token of each text (its end-of-text or [SEP] position). */
  eotIndex: Int32Array;
  /** Real tokens per text after truncation. */
  lengths: Int32Array;
  /** Tokens per text before truncation. */
  fullLengths: Int32Array;
  shape: [batch: number, token: number];
}

/** Encodes one text to ids with special tokens, truncated to `maxLen`. */
export function encodeText(tokenizer: TextTokenizer, text: string, maxLen: number): { ids: number[]; fullLength: number } {
  const { prefix, content, suffix } = tokenizer.encodeParts(text);
  const fullLength = prefix.length + content.length + suffix.length;
  const room = Math.max(0, maxLen - prefix.length - suffix.length);
  const ids = [...prefix, ...content.slice(0, room), ...suffix].slice(0, maxLen);
  return { ids, fullLength };
}

export function encodeBatch(tokenizer: TextTokenizer, texts: readonly string[], options: EncodeOptions): EncodedBatch {
  checkMaxLen(options.maxLen);
  return padBatch(texts.map((text) => encodeText(tokenizer, text, options.maxLen)), options, tokenizer.padId);
}

/** Pads texts already encoded by `encodeText` (for example cached per row) into a batch. */
export function padBatch(encoded: ReadonlyArray<{ ids: readonly number[]; fullLength: number }>, options: EncodeOptions, padId: number): EncodedBatch {
  checkMaxLen(options.maxLen);
  const longest = encoded.reduce((max, item) => Math.max(max, item.ids.length), 0);
  const width = options.padding === 'max_length' ? options.maxLen : Math.max(1, longest);
  const batch = encoded.length;
  const tokenIds = new Int32Array(batch * width).fill(padId);
  const attentionMask = new Int32Array(batch * width);
  const eotIndex = new Int32Array(batch);
  const lengths = new Int32Array(batch);
  const fullLengths = new Int32Array(batch);
  encoded.forEach(({ ids, fullLength }, b) => {
    tokenIds.set(ids, b * width);
    attentionMask.fill(1, b * width, b * width + ids.length);
    eotIndex[b] = Math.max(0, ids.length - 1);
    lengths[b] = ids.length;
    fullLengths[b] = fullLength;
  });
  return { tokenIds, attentionMask, eotIndex, lengths, fullLengths, shape: [batch, width] };
}

function checkMaxLen(maxLen: number): void {
  if (!(Number.isInteger(maxLen) && maxLen > 0)) throw new RangeError(`maxLen must be a positive integer, but it is ${maxLen}.`);
}
