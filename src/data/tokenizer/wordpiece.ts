// WordPiece tokenization from a BERT vocab.txt (one token per line, id = line index): the basic
// tokenizer splits words, then each word is split greedily into the longest vocabulary pieces,
// continuation pieces prefixed with '##'. A word with no complete split, or longer than 100
// characters, becomes '[UNK]'.
import { readFileSync } from 'node:fs';
import { DataError } from '../errors.js';
import { basicTokenize } from './basic.js';
import type { TextTokenizer } from './types.js';

export interface WordPieceOptions {
  /** Lower-case and strip accents before lookup; default true (uncased vocabularies). */
  lowercase?: boolean;
  /** Words longer than this many characters become '[UNK]'; default 100, as in BERT. */
  maxCharsPerWord?: number;
  unkToken?: string;
  clsToken?: string;
  sepToken?: string;
  padToken?: string;
}

export class WordPieceTokenizer implements TextTokenizer {
  readonly kind = 'wordpiece' as const;
  readonly vocab: ReadonlyMap<string, number>;
  readonly tokens: readonly string[];
  readonly unkId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  private readonly lowercase: boolean;
  private readonly maxCharsPerWord: number;
  private readonly specialTokens: ReadonlySet<string>;

  constructor(tokens: readonly string[], options: WordPieceOptions = {}, source = 'vocabulary') {
    const vocab = new Map<string, number>();
    tokens.forEach((token, id) => {
      if (!vocab.has(token)) vocab.set(token, id);
    });
    this.vocab = vocab;
    this.tokens = tokens;
    this.lowercase = options.lowercase ?? true;
    this.maxCharsPerWord = options.maxCharsPerWord ?? 100;
    const special = (token: string): number => {
      const id = vocab.get(token);
      if (id === undefined) throw new DataError({ code: 'TIER5020', file: source, message: `The vocabulary has no '${token}' token; a BERT vocabulary needs [PAD], [UNK], [CLS] and [SEP].` });
      return id;
    };
    this.unkId = special(options.unkToken ?? '[UNK]');
    this.clsId = special(options.clsToken ?? '[CLS]');
    this.sepId = special(options.sepToken ?? '[SEP]');
    this.padId = special(options.padToken ?? '[PAD]');
    this.specialTokens = new Set(tokens.filter((token) => /^\[[A-Z]+\]$/.test(token)));
  }

  get vocabSize(): number {
    return this.tokens.length;
  }

  /** Reads a vocab.txt file. */
  static fromFile(file: string, options: WordPieceOptions = {}): WordPieceTokenizer {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new DataError({ code: 'TIER5020', file, message: missing ? 'The vocabulary file does not exist.' : `The vocabulary file cannot be read (${(error as Error).message}).` });
    }
    const lines = text.replace(/^\uFEFF/, '').split('\n').map((line) => line.replace(/\r$/, ''));
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (lines.length === 0) throw new DataError({ code: 'TIER5020', file, message: 'The vocabulary file is empty.' });
    return new WordPieceTokenizer(lines, options, file);
  }

  tokenize(text: string): string[] {
    const pieces: string[] = [];
    for (const word of basicTokenize(text, { lowercase: this.lowercase, neverSplit: this.specialTokens })) {
      pieces.push(...this.wordPiece(word));
    }
    return pieces;
  }

  /** Splits one word greedily into the longest matching pieces. */
  wordPiece(word: string): string[] {
    const chars = Array.from(word);
    const unk = this.tokens[this.unkId] as string;
    if (chars.length > this.maxCharsPerWord) return [unk];
    const pieces: string[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let found: string | undefined;
      while (start < end) {
        const piece = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        if (this.vocab.has(piece)) {
          found = piece;
          break;
        }
        end -= 1;
      }
      if (found === undefined) return [unk];
      pieces.push(found);
      start = end;
    }
    return pieces;
  }

  encodeParts(text: string): { prefix: number[]; content: number[]; suffix: number[] } {
    const content = this.tokenize(text).map((piece) => this.vocab.get(piece) ?? this.unkId);
    return { prefix: [this.clsId], content, suffix: [this.sepId] };
  }

  decode(ids: readonly number[]): string {
    const special = new Set([this.clsId, this.sepId, this.padId]);
    let text = '';
    for (const id of ids) {
      if (special.has(id)) continue;
      const token = this.tokens[id] ?? (this.tokens[this.unkId] as string);
      text += token.startsWith('##') ? token.slice(2) : `${text === '' ? '' : ' '}${token}`;
    }
    return text;
  }

  idToToken(id: number): string | undefined {
    return this.tokens[id];
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.get(token);
  }
}
