// Tokenizers for report text: WordPiece from vocab.txt, Hugging Face tokenizer.json, batch
// encoding with truncation and padding, and WordPiece vocabulary training.
import { DataError } from '../errors.js';
import { HuggingFaceTokenizer } from './huggingface.js';
import type { TextTokenizer } from './types.js';
import { WordPieceTokenizer, type WordPieceOptions } from './wordpiece.js';

export { basicTokenize } from './basic.js';
export { encodeBatch, encodeText, padBatch, type EncodeOptions, type EncodedBatch } from './encode.js';
export { HuggingFaceTokenizer } from './huggingface.js';
export { defaultSpecialTokens, trainWordPiece, type WordPieceTrainOptions } from './train.js';
export type { TextTokenizer } from './types.js';
export { WordPieceTokenizer, type WordPieceOptions } from './wordpiece.js';

/** Loads a tokenizer by file name: a `.json` file is a Hugging Face tokenizer, anything else a WordPiece vocab.txt. */
export function loadTokenizer(file: string, options: WordPieceOptions = {}): TextTokenizer {
  if (file.toLowerCase().endsWith('.json')) return HuggingFaceTokenizer.fromFile(file);
  if (file.trim() === '') throw new DataError({ code: 'TIER5020', message: 'The tokenizer path is empty.' });
  return WordPieceTokenizer.fromFile(file, options);
}
