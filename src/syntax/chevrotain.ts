// Chevrotain, loaded from the single-file ES module bundle that its package ships
// (lib/chevrotain.mjs, the same API as the package entry). The package entry, lib/src/api.js,
// imports lodash-es as several hundred separate modules. Measured on Node 20 on the 2-core
// development machine, importing the entry took about 400 ms and the bundle about 20 ms, and
// every `tierc` command that reads a spec pays this cost at start-up.
// Every file of the parser imports Chevrotain from here, because token types and parser classes
// from the two copies do not mix.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type Chevrotain = typeof import('chevrotain');

async function loadChevrotain(): Promise<Chevrotain> {
  // The package's export map names only its entry, so the bundle is found next to it.
  const entry = createRequire(import.meta.url).resolve('chevrotain');
  const bundle = join(dirname(entry), '..', 'chevrotain.mjs');
  // NOTE: checked against chevrotain 11.2; a release that moves the bundle falls back to the slow entry.
  if (existsSync(bundle)) return (await import(pathToFileURL(bundle).href)) as Chevrotain;
  return import('chevrotain');
}

const chevrotain = await loadChevrotain();

export const {
  Alternation,
  Alternative,
  createSyntaxDiagramsCode,
  createToken,
  createTokenInstance,
  CstParser,
  EOF,
  generateCstDts,
  Lexer,
  NonTerminal,
  Option,
  Repetition,
  RepetitionMandatory,
  RepetitionMandatoryWithSeparator,
  RepetitionWithSeparator,
  Terminal,
} = chevrotain;
