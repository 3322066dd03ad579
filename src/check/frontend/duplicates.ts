// Duplicate definitions: top-level names across the spec and its imports, model and block
// members, axes, encoders, parameters, settings keys and named arguments. Each report has a
// note at the first definition.
import { settingKey, walk, type Identifier, type Node, type Program, type SettingsItem, visibleDeclarations } from '../../ast/index.js';
import { makeDiagnostic } from '../../diagnostics/make.js';
import type { Diagnostic, Span } from '../../diagnostics/types.js';

/** Records first definitions and reports later ones. */
class Scope {
  private readonly first = new Map<string, Span>();

  constructor(
    private readonly diagnostics: Diagnostic[],
    private readonly code: 'TIER2001' | 'TIER2009' | 'TIER2013' = 'TIER2001',
  ) {}

  define(key: string, span: Span, message: string, note: string): void {
    const earlier = this.first.get(key);
    if (earlier === undefined) {
      this.first.set(key, span);
      return;
    }
    this.diagnostics.push(makeDiagnostic(this.code, message, span, { related: [{ span: earlier, message: note }] }));
  }

  name(identifier: Identifier, what: string): void {
    if (identifier.name === '') return;
    this.define(
      identifier.name,
      identifier.span,
      `${what} '${identifier.name}' is already defined; rename one of them.`,
      `'${identifier.name}' is first defined here.`,
    );
  }
}

export function checkDuplicates(program: Program): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const topLevel = new Scope(diagnostics);
  for (const { file, item } of visibleDeclarations(program)) {
    switch (item.kind) {
      case 'ModelDecl':
      case 'ModelInstanceDecl':
      case 'BlockDecl':
      case 'DataDecl':
      case 'EvalDecl':
        topLevel.name(item.name, 'Name');
        break;
      case 'PreprocessDecl':
      case 'TrainDecl': {
        const word = item.kind === 'PreprocessDecl' ? 'preprocess' : 'train';
        if (item.name !== undefined) topLevel.name(item.name, 'Name');
        else {
          topLevel.define(
            `(${word})`,
            keywordSpan(item.span, word.length),
            `There is already an unnamed '${word}' block; give each one a name ('${word} NAME { ... }').`,
            `The first unnamed '${word}' block is here.`,
          );
        }
        break;
      }
      case 'ExportDecl':
        if (file === program.root && item.format.name !== '') {
          topLevel.define(
            `(export ${item.format.name})`,
            item.format.span,
            `There is already an 'export ${item.format.name}' block; merge them into one.`,
            `The first 'export ${item.format.name}' block is here.`,
          );
        }
        break;
      case 'ImportDecl':
      case 'UnknownBlockDecl':
        break;
    }
  }

  for (const file of program.files) {
    for (const item of file.ast.items) {
      if (item.kind === 'ModelDecl') {
        const members = new Scope(diagnostics);
        const axes = new Scope(diagnostics);
        const encoders = new Scope(diagnostics);
        for (const parameter of item.params) members.name(parameter.name, 'Parameter');
        for (const member of item.members) {
          switch (member.kind) {
            case 'AxesDecl':
              for (const axis of member.axes) axes.name(axis.name, 'Axis');
              break;
            case 'EncoderDecl':
              encoders.define(
                member.modality.name,
                member.modality.span,
                `The model already has an '${member.modality.name}' encoder.`,
                `The first '${member.modality.name}' encoder is here.`,
              );
              break;
            case 'HeadDecl':
            case 'LetDecl':
            case 'ParamDecl':
            case 'LossDecl':
              members.name(member.name, 'Name');
              break;
          }
        }
      } else if (item.kind === 'BlockDecl') {
        const locals = new Scope(diagnostics);
        for (const parameter of item.params) locals.name(parameter.name, 'Parameter');
        for (const statement of item.statements) locals.name(statement.name, 'Name');
      } else if ('body' in item) {
        checkSettingsBody(item.body, diagnostics);
      }
      checkNamedArguments(item, diagnostics);
    }
  }
  return diagnostics;
}

function checkSettingsBody(body: SettingsItem[], diagnostics: Diagnostic[]): void {
  const keys = new Scope(diagnostics, 'TIER2009');
  for (const item of body) {
    if (item.kind === 'Setting') {
      const key = settingKey(item);
      keys.define(key, item.key.span, `Setting '${key}' is given twice in this block; keep one.`, `'${key}' is first given here.`);
    } else {
      const key = item.name === undefined ? item.keyword.name : `${item.keyword.name} ${item.name.name}`;
      keys.define(`{${key}}`, item.keyword.span, `Block '${key}' is given twice here; merge them into one.`, `'${key}' is first given here.`);
      checkSettingsBody(item.body, diagnostics);
    }
  }
}

function checkNamedArguments(root: Node, diagnostics: Diagnostic[]): void {
  walk(root, (node) => {
    if (node.kind !== 'CallExpr') return;
    const names = new Scope(diagnostics, 'TIER2013');
    for (const argument of node.args) {
      if (argument.kind !== 'NamedArgument') continue;
      const name = argument.name.name;
      names.define(name, argument.name.span, `Argument '${name}' is given twice in this call; keep one.`, `'${name}' is first given here.`);
    }
  });
}

/** The span of the keyword that starts a declaration (underlining a whole block says less). */
function keywordSpan(span: Span, length: number): Span {
  const end = { offset: span.start.offset + length, line: span.start.line, column: span.start.column + length };
  return { file: span.file, start: span.start, end };
}
