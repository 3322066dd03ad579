// The abstract syntax tree of a .tier file. Every node has a `kind` (equal to its interface
// name) and a `span`. The parser builds it from the concrete syntax tree; later phases read it
// and never change it. Settings inside data/preprocess/train/eval/export blocks share one
// general representation (Setting → SettingValue → Phrase), so each block's checker validates
// keys and values from a table rather than from grammar rules.
import type { Span } from '../diagnostics/types.js';

interface NodeBase {
  span: Span;
}

// ---------------------------------------------------------------------------------------------
// File and top-level declarations

export interface SpecFile extends NodeBase {
  kind: 'SpecFile';
  /** The file name as given to `parse`. */
  file: string;
  items: TopLevelItem[];
  /** Every `//` and `/* *\/` comment in source order; the formatter places them back. */
  comments: Comment[];
}

export interface Comment extends NodeBase {
  kind: 'Comment';
  /** The full comment text including its `//` or `/*` markers. */
  text: string;
  block: boolean;
}

export type TopLevelItem =
  | ImportDecl
  | ModelDecl
  | ModelInstanceDecl
  | BlockDecl
  | DataDecl
  | PreprocessDecl
  | TrainDecl
  | EvalDecl
  | ExportDecl
  | UnknownBlockDecl;

/** `import "heads.tier"`: the path is relative to the importing file. */
export interface ImportDecl extends NodeBase {
  kind: 'ImportDecl';
  path: StringLiteral;
}

/** `model NAME(PARAMS) { MEMBERS }`; the parameter list is optional. */
export interface ModelDecl extends NodeBase {
  kind: 'ModelDecl';
  name: Identifier;
  /** Parameters with defaults let another model reuse this one with other values. */
  params: Parameter[];
  members: ModelMember[];
}

/**
 * `model NAME = BASE(ARGS)`: a model that is `BASE` with its parameters set to `ARGS`
 * (for example `model baseline = phantom_small(words: 0, regions: 0)`). `value` is a call or a
 * bare name; the checker rejects other expressions.
 */
export interface ModelInstanceDecl extends NodeBase {
  kind: 'ModelInstanceDecl';
  name: Identifier;
  value: Expr;
}

/**
 * `block NAME(PARAMS) { STATEMENTS RESULT }`: a user-defined layer constructor, used like a
 * standard-library call (`NAME(args)`). The body's `let`/`param`/`head` statements are local;
 * `result` is the final bare expression, the layer the block stands for.
 */
export interface BlockDecl extends NodeBase {
  kind: 'BlockDecl';
  name: Identifier;
  params: Parameter[];
  statements: BlockStatement[];
  /** Missing only in a file with syntax errors. */
  result: Expr | undefined;
}

export type BlockStatement = LetDecl | ParamDecl | HeadDecl;

/** A parameter of a model or block: `a` or `b: 128` (with a default value). */
export interface Parameter extends NodeBase {
  kind: 'Parameter';
  name: Identifier;
  default: Expr | undefined;
}

/** `data NAME { SETTINGS }` */
export interface DataDecl extends NodeBase {
  kind: 'DataDecl';
  name: Identifier;
  body: SettingsItem[];
}

/** `preprocess [NAME] { SETTINGS }` */
export interface PreprocessDecl extends NodeBase {
  kind: 'PreprocessDecl';
  name: Identifier | undefined;
  body: SettingsItem[];
}

/** `train [NAME] { SETTINGS }` */
export interface TrainDecl extends NodeBase {
  kind: 'TrainDecl';
  name: Identifier | undefined;
  body: SettingsItem[];
}

/** `eval NAME { SETTINGS }`, with nested blocks such as `zeroshot { labels { ... } }`. */
export interface EvalDecl extends NodeBase {
  kind: 'EvalDecl';
  name: Identifier;
  body: SettingsItem[];
}

/** `export FORMAT { SETTINGS }`, for example `export onnx { opset: 17 }`. */
export interface ExportDecl extends NodeBase {
  kind: 'ExportDecl';
  format: Identifier;
  body: SettingsItem[];
}

/**
 * `WORD [NAME] { ... }` where WORD is not a block kind (for example `trian { }`). The parser
 * skips the body by matching braces, so the checker can report the unknown kind with a
 * suggestion instead of a cascade of syntax errors.
 */
export interface UnknownBlockDecl extends NodeBase {
  kind: 'UnknownBlockDecl';
  keyword: Identifier;
  name: Identifier | undefined;
}

// ---------------------------------------------------------------------------------------------
// Model members

export type ModelMember = AxesDecl | EncoderDecl | HeadDecl | LetDecl | ParamDecl | LossDecl;

/** `axes { batch; token <= 128; patch = 7 * 7 }` (separators `;` or line breaks). */
export interface AxesDecl extends NodeBase {
  kind: 'AxesDecl';
  axes: AxisDecl[];
}

/**
 * One named axis. `free`: any size (`batch`); `max`: at most `size` (`token <= 128`);
 * `exact`: exactly `size` (`patch = 7 * 7`).
 */
export interface AxisDecl extends NodeBase {
  kind: 'AxisDecl';
  name: Identifier;
  constraint: 'free' | 'max' | 'exact';
  /** Present unless `constraint` is `free`. */
  size: Expr | undefined;
}

/**
 * `image encoder = CALL` or `text encoder = CALL`. `modality` is the word before `encoder`;
 * the checker rejects anything but `image` and `text`.
 */
export interface EncoderDecl extends NodeBase {
  kind: 'EncoderDecl';
  modality: Identifier;
  value: Expr;
}

/** `head NAME = PIPE`: a named, trainable layer stack that is applied like a function. */
export interface HeadDecl extends NodeBase {
  kind: 'HeadDecl';
  name: Identifier;
  value: Expr;
}

/** `let NAME [: TYPE] = EXPR` */
export interface LetDecl extends NodeBase {
  kind: 'LetDecl';
  name: Identifier;
  type: TensorType | undefined;
  value: Expr;
}

/** `param NAME [: TYPE] = EXPR`: a trainable tensor with the given initial value. */
export interface ParamDecl extends NodeBase {
  kind: 'ParamDecl';
  name: Identifier;
  type: TensorType | undefined;
  value: Expr;
}

/** `loss NAME = EXPR`; the objective is the sum of all losses. */
export interface LossDecl extends NodeBase {
  kind: 'LossDecl';
  name: Identifier;
  value: Expr;
}

/** A type annotation such as `f32[batch, token, 128]`; a scalar is `f32[]`. */
export interface TensorType extends NodeBase {
  kind: 'TensorType';
  dtype: Identifier;
  dims: Expr[];
}

// ---------------------------------------------------------------------------------------------
// Settings: the bodies of data, preprocess, train, eval and export blocks

export type SettingsItem = Setting | SettingsBlock;

/**
 * `KEY: VALUE`. Keys are names (`batch`, also keywords such as `model`) or strings (the label
 * names inside `labels { "Cardiomegaly": [...] }`).
 */
export interface Setting extends NodeBase {
  kind: 'Setting';
  key: Identifier | StringLiteral;
  value: SettingValue;
}

/**
 * The value of a setting: comma-separated items, each a phrase of juxtaposed words and
 * values, or a named argument. Examples:
 *   `32`                              → [Phrase(32)]
 *   `50 epochs`                       → [Phrase(50, epochs)]
 *   `column "path", root "data/files"` → [Phrase(column, "path"), Phrase(root, "data/files")]
 *   `tokenizer "v.txt", max_len: 128` → [Phrase(tokenizer, "v.txt"), NamedArgument(max_len, 128)]
 * A named argument appears only after a comma; at the start of a line `NAME:` begins the next
 * setting.
 */
export interface SettingValue extends NodeBase {
  kind: 'SettingValue';
  items: Array<Phrase | NamedArgument>;
}

/** Juxtaposed words and values, for example `keep best 5 by eval.chexpert.mean_auroc`. */
export interface Phrase extends NodeBase {
  kind: 'Phrase';
  /** Words are `Identifier` expressions; never empty. */
  parts: Expr[];
}

/** A nested block inside settings: `zeroshot { ... }`, `labels { ... }`, `KEYWORD NAME { ... }`. */
export interface SettingsBlock extends NodeBase {
  kind: 'SettingsBlock';
  keyword: Identifier;
  name: Identifier | undefined;
  body: SettingsItem[];
}

// ---------------------------------------------------------------------------------------------
// Expressions: one type everywhere (model members, arguments, settings)

export type Expr =
  | NumberLiteral
  | StringLiteral
  | Identifier
  | ListExpr
  | MemberExpr
  | IndexExpr
  | CallExpr
  | UnaryExpr
  | BinaryExpr
  | ContractExpr
  | RangeExpr
  | ArrowExpr
  | PipeExpr
  | MissingExpr;

export interface NumberLiteral extends NodeBase {
  kind: 'NumberLiteral';
  value: number;
  /** The source text, for example `1e-7`; the formatter prints it unchanged. */
  raw: string;
  /** True when `raw` has no decimal point and no exponent (`128`, not `128.0` or `1e2`). */
  integer: boolean;
}

export interface StringLiteral extends NodeBase {
  kind: 'StringLiteral';
  /** The value with escapes decoded. */
  value: string;
  /** The source text including quotes. */
  raw: string;
}

/** A name. Keywords (`model`, `eval`, ...) are names too where a name is expected. */
export interface Identifier extends NodeBase {
  kind: 'Identifier';
  name: string;
}

/** `[a, b, c]` */
export interface ListExpr extends NodeBase {
  kind: 'ListExpr';
  elements: Expr[];
}

/** `object.property` with no space around the dot: `image.grid`, `eval.chexpert.mean_auroc`. */
export interface MemberExpr extends NodeBase {
  kind: 'MemberExpr';
  object: Expr;
  property: Identifier;
}

/** `object[index]`, the bracket touching the object: `layers[0..7]`. */
export interface IndexExpr extends NodeBase {
  kind: 'IndexExpr';
  object: Expr;
  index: Expr;
}

/** `callee(args)`, the parenthesis touching the callee. */
export interface CallExpr extends NodeBase {
  kind: 'CallExpr';
  callee: Expr;
  args: Argument[];
}

export type Argument = Expr | NamedArgument;

/** `name: value` in a call or a setting value. */
export interface NamedArgument extends NodeBase {
  kind: 'NamedArgument';
  name: Identifier;
  value: Expr;
}

export interface UnaryExpr extends NodeBase {
  kind: 'UnaryExpr';
  op: '-';
  operand: Expr;
}

/** Arithmetic; `+` also concatenates lists (and a list with a string). */
export interface BinaryExpr extends NodeBase {
  kind: 'BinaryExpr';
  op: '+' | '-' | '*' | '/';
  left: Expr;
  right: Expr;
}

/**
 * `left . right`, a dot with whitespace on both sides: contracts the axis the operands share
 * (`tokens . patches` contracts `dim`).
 */
export interface ContractExpr extends NodeBase {
  kind: 'ContractExpr';
  left: Expr;
  right: Expr;
}

/** `start..end`, inclusive at both ends: `layers[0..7]`, `ratio: 0.9..1.0`. */
export interface RangeExpr extends NodeBase {
  kind: 'RangeExpr';
  start: Expr;
  end: Expr;
}

/** `from -> to`: a width change (`2048 -> 128`) or a schedule's endpoints (`0 -> 0.2`). */
export interface ArrowExpr extends NodeBase {
  kind: 'ArrowExpr';
  from: Expr;
  to: Expr;
}

/** `a | b | c`: layers applied left to right. Always at least two stages. */
export interface PipeExpr extends NodeBase {
  kind: 'PipeExpr';
  stages: Expr[];
}

/**
 * A placeholder where the parser recovered from a syntax error and no expression was written.
 * It appears only in trees whose parse reported errors.
 */
export interface MissingExpr extends NodeBase {
  kind: 'MissingExpr';
}

// ---------------------------------------------------------------------------------------------

/** Every node kind. */
export type Node =
  | SpecFile
  | Comment
  | TopLevelItem
  | Parameter
  | ModelMember
  | AxisDecl
  | TensorType
  | SettingsItem
  | SettingValue
  | Phrase
  | Expr
  | NamedArgument;

export type NodeKind = Node['kind'];

/** The node type with the given kind, for example `NodeOfKind<'CallExpr'>`. */
export type NodeOfKind<K extends NodeKind> = Extract<Node, { kind: K }>;
