// Block kinds and setting keys: an unknown top-level kind, an unknown setting key or nested
// block, and an encoder modality other than image or text, each with a suggestion when a known
// word is close.
import { settingKey, type Program, type SettingsItem } from '../../ast/index.js';
import { didYouMean, closestMatch } from '../../diagnostics/suggest.js';
import { makeDiagnostic } from '../../diagnostics/make.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import { blockSchemas, topLevelKinds, type SettingsSchema } from './schema.js';

const modalities = ['image', 'text'];

export function checkKindsAndKeys(program: Program): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const file of program.files) {
    for (const item of file.ast.items) {
      switch (item.kind) {
        case 'UnknownBlockDecl': {
          const word = item.keyword.name;
          const suggestion = didYouMean(word, topLevelKinds);
          const message =
            suggestion === ''
              ? `Unknown block kind '${word}'; a block is one of ${topLevelKinds.join(', ')}.`
              : `Unknown block kind '${word}'.${suggestion}`;
          diagnostics.push(makeDiagnostic('TIER2002', message, item.keyword.span));
          break;
        }
        case 'DataDecl':
          checkBody(item.body, blockSchemas.data, 'data', diagnostics);
          break;
        case 'PreprocessDecl':
          checkBody(item.body, blockSchemas.preprocess, 'preprocess', diagnostics);
          break;
        case 'TrainDecl':
          checkBody(item.body, blockSchemas.train, 'train', diagnostics);
          break;
        case 'EvalDecl':
          checkBody(item.body, blockSchemas.eval, 'eval', diagnostics);
          break;
        case 'ExportDecl':
          checkBody(item.body, blockSchemas.export, 'export', diagnostics);
          break;
        case 'ModelDecl':
          for (const member of item.members) {
            if (member.kind !== 'EncoderDecl' || modalities.includes(member.modality.name)) continue;
            const name = member.modality.name;
            const suggestion = closestMatch(name, modalities);
            const message =
              suggestion === undefined
                ? `Unknown encoder '${name}'; a model has an 'image encoder' and a 'text encoder'.`
                : `Unknown encoder '${name}'. Did you mean '${suggestion}'?`;
            diagnostics.push(makeDiagnostic('TIER2012', message, member.modality.span));
          }
          break;
        case 'ImportDecl':
        case 'ModelInstanceDecl':
        case 'BlockDecl':
          break;
      }
    }
  }
  return diagnostics;
}

function checkBody(body: SettingsItem[], schema: SettingsSchema, where: string, diagnostics: Diagnostic[]): void {
  const nested = Object.keys(schema.blocks);
  for (const item of body) {
    if (item.kind === 'Setting') {
      if (schema.anyKeys === true) continue;
      const key = settingKey(item);
      if (schema.keys.includes(key)) continue;
      let message: string;
      if (nested.includes(key)) {
        message = `'${key}' is a nested block in ${article(where)} block; write '${key} { ... }'.`;
      } else {
        const suggestion = didYouMean(key, [...schema.keys]);
        message =
          suggestion !== ''
            ? `Unknown setting '${key}' in ${article(where)} block.${suggestion}`
            : `Unknown setting '${key}' in ${article(where)} block; known settings: ${schema.keys.join(', ') || 'none'}.`;
      }
      diagnostics.push(makeDiagnostic('TIER2003', message, item.key.span));
      continue;
    }
    const word = item.keyword.name;
    const inner = schema.blocks[word];
    if (inner !== undefined) {
      checkBody(item.body, inner, word, diagnostics);
      continue;
    }
    let message: string;
    if (schema.keys.includes(word)) {
      message = `'${word}' is a setting in ${article(where)} block; write '${word}: value'.`;
    } else {
      const suggestion = didYouMean(word, nested);
      message =
        suggestion !== ''
          ? `Unknown block '${word}' in ${article(where)} block.${suggestion}`
          : nested.length === 0
            ? `${capitalize(article(where))} block has no nested blocks; '${word}' is not allowed here.`
            : `Unknown block '${word}' in ${article(where)} block; allowed blocks: ${nested.join(', ')}.`;
    }
    diagnostics.push(makeDiagnostic('TIER2010', message, item.keyword.span));
  }
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an '${word}'` : `a '${word}'`;
}

function capitalize(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}
