// BERT's basic tokenizer: text clean-up, CJK characters as separate words, optional lower-casing
// with accent stripping (NFD, then combining marks removed), and punctuation split into single
// tokens. WordPiece then splits each of these words into sub-word pieces.

export interface BasicTokenizerOptions {
  /** Lower-case and strip accents (uncased vocabularies); default true. */
  lowercase?: boolean;
  /** Strip accents; defaults to `lowercase`. */
  stripAccents?: boolean;
  /** Tokens kept whole, for example '[MASK]'. */
  neverSplit?: ReadonlySet<string>;
}

const controlPattern = /\p{C}/u;
const whitespacePattern = /[\t\n\r\p{Zs}]/u;
const punctuationPattern = /\p{P}/u;
const combiningMarkPattern = /\p{Mn}/gu;

/** Splits text into words the way BERT's BasicTokenizer does. */
export function basicTokenize(text: string, options: BasicTokenizerOptions = {}): string[] {
  const lowercase = options.lowercase ?? true;
  const stripAccents = options.stripAccents ?? lowercase;
  const neverSplit = options.neverSplit ?? new Set<string>();
  const spaced = padCjk(cleanText(text));
  const words: string[] = [];
  for (const raw of spaced.split(' ')) {
    if (raw === '') continue;
    if (neverSplit.has(raw)) {
      words.push(raw);
      continue;
    }
    let word = lowercase ? raw.toLowerCase() : raw;
    if (stripAccents && /[^\x00-\x7f]/.test(word)) word = word.normalize('NFD').replace(combiningMarkPattern, '');
    words.push(...splitPunctuation(word));
  }
  return words;
}

/** Drops NUL, U+FFFD and control characters; turns every whitespace character into a space. */
function cleanText(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    // Printable ASCII needs no Unicode category test.
    if (code > 32 && code < 127) out += char;
    else if (code === 0 || code === 0xfffd) continue;
    else if (whitespacePattern.test(char)) out += ' ';
    else if (controlPattern.test(char)) continue;
    else out += char;
  }
  return out;
}

/** Tests whether a code point is in the CJK Unified Ideographs blocks (not Hangul, Hiragana or Katakana). */
export function isCjk(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x20000 && code <= 0x2a6df) ||
    (code >= 0x2a700 && code <= 0x2b73f) ||
    (code >= 0x2b740 && code <= 0x2b81f) ||
    (code >= 0x2b820 && code <= 0x2ceaf) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x2f800 && code <= 0x2fa1f)
  );
}

function padCjk(text: string): string {
  if (!/[\u3400-\u9fff\uf900-\ufaff\ud840-\ud87e]/.test(text)) return text;
  let out = '';
  for (const char of text) out += isCjk(char.codePointAt(0) as number) ? ` ${char} ` : char;
  return out;
}

/** BERT counts all non-alphanumeric ASCII characters as punctuation, plus Unicode category P. */
export function isPunctuation(char: string): boolean {
  const code = char.codePointAt(0) as number;
  if ((code >= 33 && code <= 47) || (code >= 58 && code <= 64) || (code >= 91 && code <= 96) || (code >= 123 && code <= 126)) return true;
  return punctuationPattern.test(char);
}

function splitPunctuation(word: string): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const char of word) {
    if (isPunctuation(char)) {
      if (current !== '') pieces.push(current);
      pieces.push(char);
      current = '';
    } else {
      current += char;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}
