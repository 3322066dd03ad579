// `tierc tokenizer train` learns a WordPiece vocab.txt from the report column of a manifest;
// `tierc tokenizer encode` shows how a tokenizer splits a text, for checking a vocabulary.
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
// Imported from their own modules: the data index also loads the image decoders.
import { DataError } from '../../data/errors.js';
import { processReport } from '../../data/text.js';
import { encodeText, loadTokenizer, trainWordPiece } from '../../data/tokenizer/index.js';
import { readTable } from '../../data/table.js';
import type { CliCommand, CliContext } from '../command.js';
import { integerOption } from '../options.js';
import { guarded } from '../guard.js';
import { errorNaming, temporaryPath } from '../../driver/temporary.js';

interface TrainFlags {
  manifest: string;
  textColumn: string;
  vocabSize: number;
  output: string;
  minFrequency: number;
  cased?: boolean;
  section?: string;
  splitColumn?: string;
  split?: string;
  json?: boolean;
}

async function runTrain(flags: TrainFlags, context: CliContext): Promise<void> {
  const { io } = context;
  const { vocabSize, minFrequency } = flags;
  const manifest = path.resolve(io.cwd, flags.manifest);
  const table = readTable(manifest);
  for (const column of [flags.textColumn, ...(flags.splitColumn !== undefined ? [flags.splitColumn] : [])]) {
    if (!table.columns.includes(column)) throw new DataError({ code: 'TIER5005', file: manifest, column, message: `Column '${column}' is not in the manifest, which has columns ${table.columns.map((c) => `'${c}'`).join(', ')}.` });
  }
  const section = flags.section?.split(',').map((part) => part.trim()).filter((part) => part !== '');
  const texts = table.records
    .filter((record) => flags.splitColumn === undefined || record.cells.get(flags.splitColumn) === (flags.split ?? 'train'))
    .map((record) => processReport(record.cells.get(flags.textColumn) ?? '', section !== undefined ? { section } : {}))
    .filter((text) => text !== '');
  if (texts.length === 0) throw new DataError({ code: 'TIER5022', file: manifest, column: flags.textColumn, message: 'No non-empty texts to train on.' });
  const vocab = trainWordPiece(texts, { vocabSize, minFrequency, lowercase: !flags.cased });
  const output = path.resolve(io.cwd, flags.output);
  const temporary = temporaryPath(output, 'partial');
  try {
    await writeFile(temporary, `${vocab.join('\n')}\n`);
    await rename(temporary, output);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    // Errors name the file as given with -o, not the temporary file or its absolute form.
    throw errorNaming(errorNaming(error, temporary, output), output, flags.output);
  }
  if (flags.json) io.stdout(`${JSON.stringify({ output, texts: texts.length, vocabSize: vocab.length })}\n`);
  else io.stdout(`Wrote ${vocab.length} tokens learned from ${texts.length} texts to ${output}\n`);
}

interface EncodeFlags {
  tokenizer: string;
  maxLen: number;
  cased?: boolean;
  json?: boolean;
}

function runEncode(text: string, flags: EncodeFlags, context: CliContext): void {
  const tokenizer = loadTokenizer(path.resolve(context.io.cwd, flags.tokenizer), { lowercase: !flags.cased });
  const { ids, fullLength } = encodeText(tokenizer, text, flags.maxLen);
  const tokens = ids.map((id) => tokenizer.idToToken(id) ?? '?');
  if (flags.json) context.io.stdout(`${JSON.stringify({ ids, tokens, fullLength })}\n`);
  else context.io.stdout(`${tokens.join(' ')}\n${ids.join(' ')}\n${fullLength > ids.length ? `(truncated from ${fullLength} tokens)\n` : ''}`);
}

export const tokenizerCommand: CliCommand = {
  register(program: Command, context: CliContext): void {
    const tokenizer = program.command('tokenizer').description('Train and inspect WordPiece tokenizers for report text.');
    tokenizer
      .command('train')
      .description('Learn a WordPiece vocab.txt from the report column of a CSV or JSONL manifest.')
      .requiredOption('--manifest <file>', 'CSV or JSONL manifest')
      .requiredOption('--text-column <name>', 'column with the report text')
      .requiredOption('--vocab-size <n>', 'maximum vocabulary size, special tokens included (at least 10)', integerOption({ min: 10 }))
      .requiredOption('-o, --output <file>', 'vocab.txt to write')
      .option('--min-frequency <n>', 'merge only pairs seen at least this many times', integerOption({ min: 1 }), 2)
      .option('--cased', 'keep case and accents (default: lower-case and strip accents)')
      .option('--section <names>', 'report sections to learn from, in order of preference, for example impression,findings')
      .option('--split-column <name>', 'learn only from rows whose split column matches --split')
      .option('--split <name>', 'split to learn from', 'train')
      .option('--json', 'print the summary as JSON')
      .action((flags: TrainFlags) => guarded(context, () => runTrain(flags, context)));
    tokenizer
      .command('encode')
      .description('Print the tokens and ids of a text.')
      .argument('<text>', 'text to encode')
      .requiredOption('--tokenizer <file>', 'vocab.txt or tokenizer.json')
      .option('--max-len <n>', 'maximum tokens, special tokens included', integerOption({ min: 1 }), 128)
      .option('--cased', 'keep case and accents')
      .option('--json', 'print ids and tokens as JSON')
      .action((text: string, flags: EncodeFlags) => guarded(context, () => runEncode(text, flags, context)));
  },
};
