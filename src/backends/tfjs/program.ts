// The model of an emitted tfjs program: components made of statements, each one call of a
// runtime kernel. The printer turns it into JavaScript text; the evaluator runs it in memory.
// Both walk the same statements, so a printed program and `tierc train` compute alike.
import type { Span } from '../../diagnostics/types.js';
import type { KernelName } from '../../runtime/kernels/index.js';
import type { ModelInfo } from '../../runtime/model.js';
import type { RowClass } from './rows.js';

/** An operand of a kernel call. */
export type Operand =
  | { kind: 'value'; name: string }
  | { kind: 'param'; name: string }
  | { kind: 'input'; name: string };

/** A JSON-like attribute value; printed as an escaped literal. */
export type Literal = number | string | boolean | null | Literal[] | { [key: string]: Literal };

export interface Statement {
  /** The JavaScript name of the result (`v12`). */
  target: string;
  kernel: KernelName;
  operands: Operand[];
  attrs: Record<string, Literal>;
  /** IR node names the statement computes (more than one after a fusion). */
  nodeNames: string[];
  /** How the result depends on the batch axis; see `classifyRows`. */
  rowClass: RowClass;
  span?: Span;
}

export interface ComponentFunction {
  /** The component as the spec names it (`image`, `text`, `loss`). */
  component: string;
  /** A valid, unique JavaScript identifier. */
  functionName: string;
  /** Values from earlier components that this one reads. */
  imports: string[];
  /** Values that later components, losses or outputs read. */
  exports: string[];
  statements: Statement[];
}

export interface TfjsProgram {
  info: ModelInfo;
  components: ComponentFunction[];
  /** Loss term name → the value it reads. */
  losses: Record<string, Operand>;
  /** Output name → the value it reads. */
  outputs: Record<string, Operand>;
  /**
   * The training setup printed into train.js: data, preprocessing, train and eval blocks with
   * resolved paths. It is absent when the spec has no train block with a data block.
   */
  setup?: Literal;
  /**
   * Absolute paths of the encoders' `init:` files by spec file and path as written, printed into
   * train.js, so the program loads the files that `tierc train` loads from any working folder.
   */
  initFiles?: Record<string, Record<string, string>>;
}
