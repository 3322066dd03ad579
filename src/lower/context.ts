// The state shared by the functions that check and lower one model: the builder, the
// diagnostics found so far, the scopes of names, the declared axes and encoders, and the record
// of named values that `tierc explain` prints.
import type { BlockDecl, Expr, ModelDecl, Node } from '../ast/index.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Diagnostic, RelatedInformation, Span } from '../diagnostics/types.js';
import type { EncoderValue, TensorValue, Value } from '../sema/values.js';
import type { SharingBuilder } from './sharing_builder.js';

/** A declared axis of the model's `axes` block. */
export interface AxisInfo {
  name: string;
  constraint: 'free' | 'max' | 'exact';
  /** The exact size, or the bound of a `max` axis. */
  size?: number;
  span: Span;
}

/** A name in scope: evaluated already, or evaluated on first use (lets, heads and params). */
export type Binding =
  | { kind: 'value'; value: Value; span: Span }
  | { kind: 'lazy'; span: Span; evaluate: () => Value; state: 'pending' | 'running' | 'done'; result?: Value };

/** A chain of name scopes: block bodies inside the model scope inside the program scope. */
export class Scope {
  private readonly names = new Map<string, Binding>();

  constructor(readonly parent: Scope | undefined) {}

  define(name: string, binding: Binding): void {
    this.names.set(name, binding);
  }

  lookup(name: string): Binding | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }

  /** Every visible name, innermost first, for suggestions. */
  visibleNames(): string[] {
    return [...this.names.keys(), ...(this.parent?.visibleNames() ?? [])];
  }
}

/** A named value of the model, for `tierc explain`. */
export interface NamedValue {
  name: string;
  kind: 'let' | 'param' | 'encoder output' | 'loss';
  value: TensorValue;
  span: Span;
}

/** Options that change how a model is lowered. */
export interface LowerSettings {
  /** Input image height and width; from the preprocess block or encoder options, else 224. */
  imageSize?: number;
  /** Input image channels; from the preprocess block, else the encoder's `channels`, else 3. */
  imageChannels?: number;
  /** Reads a text file relative to the spec (for `vocab: "vocab.txt"`); undefined when it cannot. */
  readRelative?: (from: string, path: string) => string | undefined;
}

export interface LowerContext {
  b: SharingBuilder;
  diagnostics: Diagnostic[];
  model: ModelDecl;
  /** User-defined blocks of the program by name. */
  blocks: ReadonlyMap<string, BlockDecl>;
  axes: Map<string, AxisInfo>;
  encoders: { image?: EncoderValue; text?: EncoderValue };
  /** Encoders whose declaration failed; their outputs evaluate to the error value silently. */
  failedEncoders: Set<'image' | 'text'>;
  named: NamedValue[];
  /** User-defined blocks being expanded, innermost last, to report recursion. */
  blockStack: string[];
  /** Names of lets being evaluated, to report a let defined through itself. */
  letStack: string[];
  /** Counters for scopes of anonymous layers with parameters, per scope path. */
  anonymous: Map<string, number>;
  /** Results of applying a head to a value, so a repeated application emits nothing new. */
  headResults: Map<string, Map<number, TensorValue>>;
  /** The tensors passed to `infonce`, for the conventional embedding outputs. */
  contrastivePairs: Array<[TensorValue, TensorValue]>;
  /** Which encoders each IR value depends on. */
  sources: Map<number, Set<'image' | 'text'>>;
  settings: LowerSettings;
  /** Current expression nesting, guarded so no input can exhaust the stack. */
  depth: number;
  /** The scope of top-level names (user-defined blocks see only these and their parameters). */
  programScope: Scope;
  /**
   * True while a layer runs as a pipe stage or a head, because that scope names its parameters.
   * False in a let, where a block with parameters gets a scope of its own (`linear`, `linear_1`).
   */
  inLayerStage: boolean;
  /** Options of every block expanded, defaults included, for `tierc explain`. */
  optionRecords: Array<{ component: string; block: string; options: Record<string, { value: unknown; written: boolean }>; span: Span }>;
  /** The head being applied, for the message when its width does not fit its input. */
  applyingHead: { name: string; span: Span } | undefined;
}

/** Expressions nest at most this deep while evaluating; the parser already limits them to 500. */
export const MAX_EVAL_DEPTH = 2000;

export function report(context: LowerContext, code: string, message: string, span: Span | undefined, related: RelatedInformation[] = []): void {
  context.diagnostics.push(makeDiagnostic(code, message, span, { related }));
}

/** The source text of an expression, when short, for naming values in messages. */
export function exprLabel(expr: Expr | Node): string {
  switch (expr.kind) {
    case 'Identifier':
      return expr.name;
    case 'MemberExpr':
      return `${exprLabel(expr.object)}.${expr.property.name}`;
    case 'NumberLiteral':
      return expr.raw;
    case 'StringLiteral':
      return expr.raw;
    case 'CallExpr':
      return `${exprLabel(expr.callee)}(…)`;
    case 'ContractExpr':
      return `${exprLabel(expr.left)} . ${exprLabel(expr.right)}`;
    default:
      return 'the expression';
  }
}

/** Records which encoders a new value depends on: the union of its operands' sources. */
export function inheritSources(context: LowerContext, result: number, operands: number[]): void {
  const union = new Set<'image' | 'text'>();
  for (const operand of operands) for (const source of context.sources.get(operand) ?? []) union.add(source);
  if (union.size > 0) context.sources.set(result, union);
}
