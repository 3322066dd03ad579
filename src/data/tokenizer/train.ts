// Learns a WordPiece vocabulary with byte-pair-encoding merges. Words from the BERT basic
// tokenizer start as single characters, continuations prefixed '##'. The most frequent adjacent
// pair is merged repeatedly until the vocabulary is full. Ties break on the merged string, so
// the result is deterministic.
import { basicTokenize } from './basic.js';

export interface WordPieceTrainOptions {
  vocabSize: number;
  /** Pairs seen fewer times than this are not merged; default 2. */
  minFrequency?: number;
  lowercase?: boolean;
  /** Placed first, in this order; default [PAD], [UNK], [CLS], [SEP], [MASK] (ids 0–4). */
  specialTokens?: string[];
}

export const defaultSpecialTokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];

interface Word {
  symbols: string[];
  count: number;
}

/** Returns the vocabulary in id order: special tokens, the alphabet (plain and '##' forms), then merges. */
export function trainWordPiece(texts: Iterable<string>, options: WordPieceTrainOptions): string[] {
  const special = options.specialTokens ?? defaultSpecialTokens;
  const minFrequency = options.minFrequency ?? 2;
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const word of basicTokenize(text, { lowercase: options.lowercase ?? true })) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const words: Word[] = [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([word, count]) => ({ symbols: Array.from(word).map((char, i) => (i === 0 ? char : `##${char}`)), count }));

  const vocab: string[] = [];
  const seen = new Set<string>();
  const add = (token: string): void => {
    if (seen.has(token)) return;
    seen.add(token);
    vocab.push(token);
  };
  special.forEach(add);
  const alphabet = [...new Set(words.flatMap((word) => Array.from(word.symbols.join('').replace(/##/g, ''))))].sort();
  for (const char of alphabet) add(char);
  for (const char of alphabet) add(`##${char}`);

  const pairs = new PairTable(words);
  while (vocab.length < options.vocabSize) {
    const best = pairs.popBest();
    if (best === undefined || best.count < minFrequency) break;
    const merged = best.left + best.right.replace(/^##/, '');
    pairs.merge(best.left, best.right, merged);
    add(merged);
  }
  return vocab.slice(0, Math.max(options.vocabSize, special.length));
}

const separator = '\u0000';

/** Pair counts with the words each pair occurs in, and a max-heap with lazy deletion. */
class PairTable {
  private readonly counts = new Map<string, number>();
  private readonly where = new Map<string, Set<number>>();
  private readonly heap: Array<{ key: string; count: number }> = [];

  constructor(private readonly words: Word[]) {
    words.forEach((word, index) => this.addWord(index, word, 1));
    for (const [key, count] of this.counts) this.push(key, count);
  }

  private addWord(index: number, word: Word, sign: 1 | -1): Set<string> {
    const touched = new Set<string>();
    for (let i = 0; i + 1 < word.symbols.length; i++) {
      const key = `${word.symbols[i]}${separator}${word.symbols[i + 1]}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + sign * word.count);
      if (sign > 0) {
        let set = this.where.get(key);
        if (set === undefined) this.where.set(key, (set = new Set()));
        set.add(index);
      }
      touched.add(key);
    }
    return touched;
  }

  /** Returns the pair with the highest count; ties go to the smaller merged string. */
  popBest(): { left: string; right: string; count: number } | undefined {
    while (this.heap.length > 0) {
      const top = this.pop();
      const current = this.counts.get(top.key) ?? 0;
      if (current !== top.count || current <= 0) continue;
      const [left, right] = top.key.split(separator) as [string, string];
      return { left, right, count: current };
    }
    return undefined;
  }

  merge(left: string, right: string, merged: string): void {
    const key = `${left}${separator}${right}`;
    const indices = [...(this.where.get(key) ?? [])].sort((a, b) => a - b);
    const changed = new Set<string>();
    for (const index of indices) {
      const word = this.words[index] as Word;
      for (const touched of this.addWord(index, word, -1)) changed.add(touched);
      const symbols: string[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (i + 1 < word.symbols.length && word.symbols[i] === left && word.symbols[i + 1] === right) {
          symbols.push(merged);
          i += 1;
        } else {
          symbols.push(word.symbols[i] as string);
        }
      }
      word.symbols = symbols;
      for (const touched of this.addWord(index, word, 1)) changed.add(touched);
    }
    this.counts.delete(key);
    this.where.delete(key);
    for (const touched of changed) {
      const count = this.counts.get(touched) ?? 0;
      if (count > 0) this.push(touched, count);
    }
  }

  private better(a: { key: string; count: number }, b: { key: string; count: number }): boolean {
    if (a.count !== b.count) return a.count > b.count;
    const mergedA = mergedText(a.key);
    const mergedB = mergedText(b.key);
    if (mergedA !== mergedB) return mergedA < mergedB;
    return a.key < b.key;
  }

  private push(key: string, count: number): void {
    const heap = this.heap;
    heap.push({ key, count });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.better(heap[i] as (typeof heap)[number], heap[parent] as (typeof heap)[number])) break;
      [heap[i], heap[parent]] = [heap[parent] as (typeof heap)[number], heap[i] as (typeof heap)[number]];
      i = parent;
    }
  }

  private pop(): { key: string; count: number } {
    const heap = this.heap;
    const top = heap[0] as (typeof heap)[number];
    const last = heap.pop() as (typeof heap)[number];
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let best = i;
        if (left < heap.length && this.better(heap[left] as typeof top, heap[best] as typeof top)) best = left;
        if (right < heap.length && this.better(heap[right] as typeof top, heap[best] as typeof top)) best = right;
        if (best === i) break;
        [heap[i], heap[best]] = [heap[best] as typeof top, heap[i] as typeof top];
        i = best;
      }
    }
    return top;
  }
}

/** Returns the token a pair key merges into ('a' + '##b' gives 'ab'). */
function mergedText(key: string): string {
  return key.replace(`${separator}##`, '').replace(separator, '');
}
