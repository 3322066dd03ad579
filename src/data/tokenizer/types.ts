// The interface every tokenizer implements, so batching, truncation and padding are shared.

export interface TextTokenizer {
  readonly kind: 'wordpiece' | 'huggingface';
  readonly vocabSize: number;
  /** Id used for padding positions. */
  readonly padId: number;
  /**
   * Splits encoded text into the special tokens before the content, the content ids and the
   * special tokens after it, so truncation can cut the content and keep both ends.
   */
  encodeParts(text: string): { prefix: number[]; content: number[]; suffix: number[] };
  /** The sub-word strings of the content, without special tokens. */
  tokenize(text: string): string[];
  /** Joins token ids back into text; special tokens are dropped. */
  decode(ids: readonly number[]): string;
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
}
