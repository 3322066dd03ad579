// Tokenizers from a Hugging Face tokenizer.json (and tokenizer_config.json beside it, when
// present) through @huggingface/tokenizers. The special tokens that the post-processor adds are
// found by encoding with and without them, so truncation keeps them at both ends.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { DataError } from '../errors.js';
import type { TextTokenizer } from './types.js';

export class HuggingFaceTokenizer implements TextTokenizer {
  readonly kind = 'huggingface' as const;
  readonly vocabSize: number;
  readonly padId: number;
  private readonly specialIds: Set<number>;

  private constructor(private readonly tokenizer: Tokenizer) {
    const vocab = tokenizer.get_vocab(true);
    this.vocabSize = vocab.size;
    this.padId = ['[PAD]', '<pad>', '<|padding|>', '<|endoftext|>'].map((token) => vocab.get(token)).find((id) => id !== undefined) ?? 0;
    this.specialIds = new Set(tokenizer.get_added_tokens_decoder().keys());
  }

  /** Reads tokenizer.json; tokenizer_config.json in the same folder is used when it exists. */
  static fromFile(file: string): HuggingFaceTokenizer {
    const read = (name: string): object => {
      try {
        return JSON.parse(readFileSync(name, 'utf8')) as object;
      } catch (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        throw new DataError({ code: 'TIER5020', file: name, message: missing ? 'The tokenizer file does not exist.' : `The tokenizer file is not valid JSON (${(error as Error).message}).` });
      }
    };
    const json = read(file);
    const configFile = path.join(path.dirname(file), 'tokenizer_config.json');
    const config = existsSync(configFile) ? read(configFile) : {};
    try {
      return new HuggingFaceTokenizer(new Tokenizer(json, config));
    } catch (error) {
      throw new DataError({ code: 'TIER5020', file, message: `The tokenizer cannot be loaded: ${error instanceof Error ? error.message : String(error)}.` });
    }
  }

  encodeParts(text: string): { prefix: number[]; content: number[]; suffix: number[] } {
    const full = this.tokenizer.encode(text, { add_special_tokens: true }).ids;
    const content = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    // The post-processor wraps the content; find where the content ids sit inside the full ids.
    for (let offset = 0; offset + content.length <= full.length; offset++) {
      let same = true;
      for (let i = 0; same && i < content.length; i++) same = full[offset + i] === content[i];
      if (same) return { prefix: full.slice(0, offset), content, suffix: full.slice(offset + content.length) };
    }
    return { prefix: [], content: full, suffix: [] };
  }

  tokenize(text: string): string[] {
    return this.tokenizer.tokenize(text, { add_special_tokens: false });
  }

  decode(ids: readonly number[]): string {
    return this.tokenizer.decode(ids.filter((id) => !this.specialIds.has(id)), { skip_special_tokens: true });
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }
}
