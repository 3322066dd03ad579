// A Prettier plugin for .tier files, exported as `tierc/prettier-plugin`:
//   prettier --plugin tierc/prettier-plugin --write "specs/**/*.tier"
// It prints the same canonical layout as `tierc fmt` (width 100 unless Prettier's printWidth is
// set). A file with syntax errors makes Prettier report the first one with its position.
import type { Parser, Plugin, Printer, SupportLanguage } from 'prettier';
import type { SpecFile } from '../ast/index.js';
import { hasErrors } from '../diagnostics/make.js';
import { parse } from '../syntax/index.js';
import { PRINT_WIDTH, SpecPrinter } from './print.js';

/** The root node handed to Prettier. Comments stay inside `ast`, because this printer places them itself. */
interface TierRoot {
  type: 'tier-root';
  text: string;
  ast: SpecFile;
}

export const languages: SupportLanguage[] = [
  { name: 'Tier', parsers: ['tier'], extensions: ['.tier'], vscodeLanguageIds: ['tier'] },
];

export const parsers: Record<string, Parser<TierRoot>> = {
  tier: {
    astFormat: 'tier-ast',
    parse(text) {
      const { ast, diagnostics } = parse(text, '<prettier>');
      if (hasErrors(diagnostics)) {
        const first = diagnostics.find((diagnostic) => diagnostic.severity === 'error')!;
        const start = first.span?.start ?? { line: 1, column: 1 };
        const error = new SyntaxError(`${first.code}: ${first.message}`);
        throw Object.assign(error, { loc: { start: { line: start.line, column: start.column } } });
      }
      return { type: 'tier-root', text, ast };
    },
    locStart: (node) => node.ast.span.start.offset,
    locEnd: (node) => node.ast.span.end.offset,
  },
};

export const printers: Record<string, Printer<TierRoot>> = {
  'tier-ast': {
    print(path) {
      const root = path.node;
      return new SpecPrinter(root.ast, root.text).printFile();
    },
  },
};

export const defaultOptions = { printWidth: PRINT_WIDTH, tabWidth: 2 };

const plugin: Plugin<TierRoot> = { languages, parsers, printers, defaultOptions };
export default plugin;
