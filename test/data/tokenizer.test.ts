import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { basicTokenize, encodeBatch, HuggingFaceTokenizer, loadTokenizer, trainWordPiece, WordPieceTokenizer } from '../../src/data/index.js';
import { fixtures, tempDir } from './helpers.js';

// Ids of the committed vocabulary: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4, the 5, heart 6,
// is 7, en 8, ##large 9, ##d 10, . 11, no 12, pleural 13, effusion 14, , 15, left 16, ##ward 17,
// cafe 18, un 19, ##aff 20, ##able 21, 中 22, ##s 23, lung 24.
const vocabFile = path.join(fixtures, 'tokenizer/vocab.txt');
const wordpiece = WordPieceTokenizer.fromFile(vocabFile);

const known: Array<[string, number[]]> = [
  ['The heart is ENLARGED.', [2, 5, 6, 7, 8, 9, 10, 11, 3]],
  ['Café, unaffable 中文', [2, 18, 15, 19, 20, 21, 22, 1, 3]],
  ['leftwards', [2, 16, 17, 23, 3]],
  ['xyz lung', [2, 1, 24, 3]],
  ['enlargedx', [2, 1, 3]],
  ['no\tpleural\neffusion', [2, 12, 13, 14, 3]],
  ['', [2, 3]],
];

describe('basicTokenize', () => {
  it('splits punctuation and CJK, lower-cases and strips accents', () => {
    expect(basicTokenize('Héllo, WORLD!中文 a-b')).toEqual(['hello', ',', 'world', '!', '中', '文', 'a', '-', 'b']);
  });

  it('keeps case when asked', () => {
    expect(basicTokenize('Héllo World', { lowercase: false })).toEqual(['Héllo', 'World']);
  });

  it('drops control characters', () => {
    expect(basicTokenize('a\u0000b\u200bc\ufffd d')).toEqual(['abc', 'd']);
  });
});

describe('WordPieceTokenizer', () => {
  it.each(known)('encodes %j', (text, ids) => {
    const { prefix, content, suffix } = wordpiece.encodeParts(text);
    expect([...prefix, ...content, ...suffix]).toEqual(ids);
  });

  it('splits greedily into the longest pieces', () => {
    expect(wordpiece.tokenize('enlarged unaffable')).toEqual(['en', '##large', '##d', 'un', '##aff', '##able']);
  });

  it('maps a word over 100 characters to [UNK]', () => {
    const letters = new WordPieceTokenizer(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'a', '##a']);
    expect(letters.wordPiece('a'.repeat(100))).toEqual(['a', ...Array<string>(99).fill('##a')]);
    expect(letters.wordPiece('a'.repeat(101))).toEqual(['[UNK]']);
  });

  it('honours a lower per-word limit', () => {
    const short = WordPieceTokenizer.fromFile(vocabFile, { maxCharsPerWord: 5 });
    expect(short.tokenize('leftwards left')).toEqual(['[UNK]', 'left']);
  });

  it('reads special token ids from the vocabulary', () => {
    expect([wordpiece.padId, wordpiece.unkId, wordpiece.clsId, wordpiece.sepId, wordpiece.vocabSize]).toEqual([0, 1, 2, 3, 25]);
  });

  it('rejects a vocabulary without [CLS]', () => {
    expect(() => new WordPieceTokenizer(['[PAD]', '[UNK]', '[SEP]', 'a'])).toThrow(/no '\[CLS\]' token/);
  });

  it('reports a missing vocabulary file', () => {
    expect(() => loadTokenizer(path.join(fixtures, 'tokenizer/none.txt'))).toThrow(/TIER5020/);
  });

  it('decodes ids back to text', () => {
    expect(wordpiece.decode([2, 5, 6, 7, 8, 9, 10, 11, 3, 0])).toBe('the heart is enlarged .');
  });
});

describe('encodeBatch', () => {
  it('truncates, pads to the longest text and marks the end of text', () => {
    const batch = encodeBatch(wordpiece, ['No effusion.', 'The heart is enlarged.'], { maxLen: 6 });
    expect(batch.shape).toEqual([2, 6]);
    expect(Array.from(batch.tokenIds)).toEqual([2, 12, 14, 11, 3, 0, 2, 5, 6, 7, 8, 3]);
    expect(Array.from(batch.attentionMask)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(batch.eotIndex)).toEqual([4, 5]);
    expect(Array.from(batch.lengths)).toEqual([5, 6]);
    expect(Array.from(batch.fullLengths)).toEqual([5, 9]);
  });

  it('pads to max_length on request', () => {
    const batch = encodeBatch(wordpiece, ['lung'], { maxLen: 5, padding: 'max_length' });
    expect(Array.from(batch.tokenIds)).toEqual([2, 24, 3, 0, 0]);
    expect(Array.from(batch.eotIndex)).toEqual([2]);
  });

  it('keeps [CLS] and [SEP] at a length of 2', () => {
    expect(Array.from(encodeBatch(wordpiece, ['the heart'], { maxLen: 2 }).tokenIds)).toEqual([2, 3]);
  });
});

describe('HuggingFaceTokenizer', () => {
  const dir = tempDir();
  const tokens = readFileSync(vocabFile, 'utf8').trim().split('\n');
  const file = path.join(dir, 'tokenizer.json');
  writeFileSync(
    file,
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: tokens.slice(0, 5).map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
        pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
        special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
      },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(tokens.map((token, id) => [token, id])) },
    }),
  );
  const hf = loadTokenizer(file);

  it('loads tokenizer.json by extension', () => {
    expect(hf).toBeInstanceOf(HuggingFaceTokenizer);
    expect(hf.padId).toBe(0);
  });

  it.each(known.filter(([text]) => text !== ''))('matches the WordPiece ids for %j', (text, ids) => {
    const { prefix, content, suffix } = hf.encodeParts(text);
    expect(prefix).toEqual([2]);
    expect(suffix).toEqual([3]);
    expect([...prefix, ...content, ...suffix]).toEqual(ids);
  });

  it('truncates inside the special tokens', () => {
    expect(Array.from(encodeBatch(hf, ['The heart is enlarged.'], { maxLen: 4 }).tokenIds)).toEqual([2, 5, 6, 3]);
  });

  it('reports invalid JSON', () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(() => loadTokenizer(bad)).toThrow(/not valid JSON/);
  });
});

describe('trainWordPiece', () => {
  it('merges the most frequent pair first', () => {
    expect(trainWordPiece(['ab ab ab abc'], { vocabSize: 12 })).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'a', 'b', 'c', '##a', '##b', '##c', 'ab']);
  });

  it('stops at the minimum frequency', () => {
    expect(trainWordPiece(['ab ab ab abc'], { vocabSize: 20 })).toHaveLength(12);
    expect(trainWordPiece(['ab ab ab abc'], { vocabSize: 20, minFrequency: 1 }).slice(11)).toEqual(['ab', 'abc']);
  });

  it('breaks ties on the merged string', () => {
    // 'xy' and 'zw' both occur twice; 'xy' sorts first.
    expect(trainWordPiece(['zw xy zw xy'], { vocabSize: 14 }).slice(13)).toEqual(['xy']);
  });

  it('learns a vocabulary the WordPiece tokenizer can use', () => {
    const texts = ['No pleural effusion.', 'Small left pleural effusion.', 'The heart is enlarged.', 'No pneumothorax.', 'Left pneumothorax.'];
    const vocab = trainWordPiece(texts, { vocabSize: 200 });
    expect(trainWordPiece(texts, { vocabSize: 200 })).toEqual(vocab);
    const tokenizer = new WordPieceTokenizer(vocab);
    expect(tokenizer.tokenize('left pleural effusion')).toEqual(['left', 'pleural', 'effusion']);
    expect(tokenizer.tokenize('Pleurax')).not.toContain('[UNK]');
  });
});
