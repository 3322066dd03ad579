// Reading settings values into typed configs. A setting's value is a list of phrases and named
// arguments (`column "path", root "data/files"`, `50 epochs`, `adam(lr: 1e-4)`). The helpers
// here match those forms and report TIER2114 with the form that was expected. The front end
// reports unknown keys, so these helpers read only the keys a config defines.
import { constantNumber, findSetting, settingKey, settingsOf, type Expr, type NamedArgument, type Phrase, type Setting, type SettingsItem } from '../ast/index.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Diagnostic, Span } from '../diagnostics/types.js';

/** Tracks diagnostics and defaulted keys while one block is read. */
export class ConfigReader {
  /** Dotted paths of the options the spec left out and a default filled in. */
  readonly defaulted: string[] = [];

  constructor(
    readonly body: SettingsItem[],
    readonly diagnostics: Diagnostic[],
    /** The span of the block, for diagnostics about a missing key. */
    readonly span: Span,
    /** Prefix of the paths in `defaulted`, for nested blocks. */
    readonly prefix = '',
  ) {}

  setting(key: string): Setting | undefined {
    return findSetting(this.body, key);
  }

  error(message: string, span: Span | undefined, code = 'TIER2114'): undefined {
    this.diagnostics.push(makeDiagnostic(code, message, span ?? this.span));
    return undefined;
  }

  /** Records that `key` took its default value; returns the value. */
  fill<T>(key: string, value: T): T {
    this.defaulted.push(this.prefix + key);
    return value;
  }

  /** Returns the one expression of a setting (`batch: 32`), reporting other forms. */
  expression(key: string, form: string): Expr | undefined {
    const setting = this.setting(key);
    if (setting === undefined) return undefined;
    const items = setting.value.items;
    if (items.length === 1 && items[0]!.kind === 'Phrase' && items[0]!.parts.length === 1) return items[0]!.parts[0];
    return this.error(`Setting '${key}' takes ${form}.`, setting.value.span);
  }

  number(key: string, options: { integer?: boolean; min?: number; max?: number; form?: string } = {}): number | undefined {
    const form = options.form ?? (options.integer === true ? 'a whole number' : 'a number');
    const expr = this.expression(key, form);
    if (expr === undefined) return undefined;
    const value = numberOf(expr);
    if (value === undefined || (options.integer === true && !Number.isInteger(value))) return this.error(`Setting '${key}' takes ${form}.`, expr.span);
    if (options.min !== undefined && value < options.min) return this.error(`Setting '${key}' must be at least ${options.min}, got ${value}.`, expr.span);
    if (options.max !== undefined && value > options.max) return this.error(`Setting '${key}' must be at most ${options.max}, got ${value}.`, expr.span);
    return value;
  }

  string(key: string): string | undefined {
    const expr = this.expression(key, 'a string in double quotes');
    if (expr === undefined) return undefined;
    if (expr.kind === 'StringLiteral') return expr.value;
    return this.error(`Setting '${key}' takes a string in double quotes.`, expr.span);
  }

  /** A bare word from a closed set (`score: difference`), with a suggestion for a near miss. */
  word<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const list = choices.map((choice) => `'${choice}'`).join(', ');
    const expr = this.expression(key, `one of ${list}`);
    if (expr === undefined) return undefined;
    const word = expr.kind === 'Identifier' ? expr.name : expr.kind === 'StringLiteral' ? expr.value : undefined;
    if (word !== undefined && (choices as readonly string[]).includes(word)) return word as T;
    const hint = word === undefined ? '' : didYouMean(word, choices);
    return this.error(`Setting '${key}' takes one of ${list}${word === undefined ? '' : `, not '${word}'`}.${hint}`, expr.span);
  }

  /** A name, or a dotted name such as `mimic.train`, split at the dots. */
  dottedName(key: string): { parts: string[]; span: Span } | undefined {
    const expr = this.expression(key, 'a name');
    if (expr === undefined) return undefined;
    const parts = dottedParts(expr);
    if (parts === undefined) return this.error(`Setting '${key}' takes a name such as 'tier_cxr' or 'mimic.train'.`, expr.span);
    return { parts, span: expr.span };
  }

  /** A list of names or strings (`dynamic: [batch, token]`); a single item counts as a list of one. */
  wordList(key: string): { words: string[]; span: Span } | undefined {
    const expr = this.expression(key, 'a list of names such as [batch, token]');
    if (expr === undefined) return undefined;
    const elements = expr.kind === 'ListExpr' ? expr.elements : [expr];
    const words = elements.map((element) => (element.kind === 'Identifier' ? element.name : element.kind === 'StringLiteral' ? element.value : undefined));
    if (words.some((word) => word === undefined)) return this.error(`Setting '${key}' takes a list of names such as [batch, token].`, expr.span);
    return { words: words as string[], span: expr.span };
  }

  phrases(key: string): Phrase[] | undefined {
    return this.setting(key)?.value.items.filter((item): item is Phrase => item.kind === 'Phrase');
  }

  namedArguments(key: string): NamedArgument[] {
    return this.setting(key)?.value.items.filter((item): item is NamedArgument => item.kind === 'NamedArgument') ?? [];
  }

  keys(): string[] {
    return settingsOf(this.body).map(settingKey);
  }
}

/** Folds a constant arithmetic expression (`128`, `-1e-4`, `7 * 7`) to its value. */
export function numberOf(expr: Expr): number | undefined {
  return constantNumber(expr);
}

export function dottedParts(expr: Expr): string[] | undefined {
  if (expr.kind === 'Identifier') return [expr.name];
  if (expr.kind === 'MemberExpr') {
    const object = dottedParts(expr.object);
    return object === undefined ? undefined : [...object, expr.property.name];
  }
  return undefined;
}

/** The word at the start of a phrase part, if it is a bare name. */
export function wordAt(phrase: Phrase, index: number): string | undefined {
  const part = phrase.parts[index];
  return part?.kind === 'Identifier' ? part.name : undefined;
}

/** The call `name(args)` or bare `name` of an expression, with its named arguments by name. */
export function callOf(expr: Expr): { name: string; positional: Expr[]; named: Map<string, NamedArgument>; span: Span } | undefined {
  if (expr.kind === 'Identifier') return { name: expr.name, positional: [], named: new Map(), span: expr.span };
  if (expr.kind !== 'CallExpr' || expr.callee.kind !== 'Identifier') return undefined;
  const named = new Map<string, NamedArgument>();
  const positional: Expr[] = [];
  for (const arg of expr.args) {
    if (arg.kind === 'NamedArgument') named.set(arg.name.name, arg);
    else positional.push(arg);
  }
  return { name: expr.callee.name, positional, named, span: expr.span };
}

/** The stages of a pipe (`a | b | c`), or the one expression. */
export function stagesOf(expr: Expr): Expr[] {
  return expr.kind === 'PipeExpr' ? expr.stages : [expr];
}

/** Returns the bounds of a numeric range `0.9..1.0`, or undefined for other expressions. */
export function rangeOf(expr: Expr): [number, number] | undefined {
  if (expr.kind === 'RangeExpr') {
    const start = numberOf(expr.start);
    const end = numberOf(expr.end);
    return start === undefined || end === undefined ? undefined : [start, end];
  }
  return undefined;
}

/** The list of strings of an expression: `["a", "b"]`, `"a"`, or `[...] + "b"` concatenated. */
export function stringListOf(expr: Expr): string[] | undefined {
  if (expr.kind === 'StringLiteral') return [expr.value];
  if (expr.kind === 'ListExpr') {
    const items = expr.elements.map((element) => (element.kind === 'StringLiteral' ? element.value : undefined));
    return items.some((item) => item === undefined) ? undefined : (items as string[]);
  }
  if (expr.kind === 'BinaryExpr' && expr.op === '+') {
    const left = stringListOf(expr.left);
    const right = stringListOf(expr.right);
    return left === undefined || right === undefined ? undefined : [...left, ...right];
  }
  return undefined;
}
