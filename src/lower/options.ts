// Converts the arguments a spec writes into the option values of a standard-library block, by
// the option's declared type. Axes and enum words stay words (`over: patch`, `output: layer4`)
// and freeze patterns become strings (`layers[0..7]`). Numbers are evaluated, so a model
// parameter can set a width.
import type { Expr } from '../ast/index.js';
import type { OptionSpec } from '../stdlib/index.js';
import { describeValue, ERROR, type Value } from '../sema/values.js';
import { report, type LowerContext, type Scope } from './context.js';
import { evaluate } from './expr.js';

/** Marks an option whose value could not be converted; a diagnostic was reported. */
export const INVALID = Symbol('invalid option');

/** The text of a freeze pattern: `embeddings`, `layers[3]`, `layers[0..7]`; undefined for other forms. */
export function patternText(expr: Expr): string | undefined {
  switch (expr.kind) {
    case 'Identifier':
      return expr.name;
    case 'StringLiteral':
      return expr.value;
    case 'MemberExpr': {
      const object = patternText(expr.object);
      return object === undefined ? undefined : `${object}.${expr.property.name}`;
    }
    case 'IndexExpr': {
      const object = patternText(expr.object);
      const index = expr.index;
      if (object === undefined) return undefined;
      if (index.kind === 'NumberLiteral' && index.integer) return `${object}[${index.raw}]`;
      if (index.kind === 'RangeExpr' && index.start.kind === 'NumberLiteral' && index.end.kind === 'NumberLiteral') {
        return `${object}[${index.start.raw}..${index.end.raw}]`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** A word argument: an identifier or a string. */
function wordOf(expr: Expr): string | undefined {
  if (expr.kind === 'Identifier') return expr.name;
  if (expr.kind === 'StringLiteral') return expr.value;
  return undefined;
}

/**
 * Converts one argument to the option type `spec`. Reports TIER2105 and returns INVALID when the
 * written form cannot be that type; range and enum checks are left to the block's schema.
 */
export function optionValue(context: LowerContext, scope: Scope, block: string, name: string, spec: OptionSpec, expr: Expr): unknown {
  const wrong = (what: string): typeof INVALID => {
    report(context, 'TIER2105', `Option '${name}' of '${block}' takes ${what}.`, expr.span);
    return INVALID;
  };
  switch (spec.type) {
    case 'axis': {
      const word = wordOf(expr);
      if (word !== undefined) return word;
      const value = evaluate(context, scope, expr);
      if (value.kind === 'number' && value.integer && value.value >= 0) return value.value;
      return value.kind === 'error' ? INVALID : wrong('an axis name, such as over: patch');
    }
    case 'axes': {
      if (expr.kind === 'ListExpr') {
        const words = expr.elements.map(wordOf);
        if (words.every((word) => word !== undefined)) return words;
        return wrong('an axis name or a list of axis names, such as over: [batch, token]');
      }
      const word = wordOf(expr);
      return word !== undefined ? word : wrong('an axis name or a list of axis names, such as over: [batch, token]');
    }
    case 'enum':
    case 'string': {
      if (expr.kind === 'Identifier' && scope.lookup(expr.name) === undefined) return expr.name;
      const value = evaluate(context, scope, expr);
      if (value.kind === 'string') return value.value;
      if (value.kind === 'word') return value.name;
      if (value.kind === 'error') return INVALID;
      return wrong(spec.type === 'enum' ? `one of ${(spec.values ?? []).map((v) => `'${v}'`).join(', ')}` : 'a string');
    }
    case 'string[]': {
      const elements = expr.kind === 'ListExpr' ? expr.elements : [expr];
      const texts = elements.map(patternText);
      if (texts.every((text) => text !== undefined)) return texts;
      return wrong('a list of names, such as [embeddings, layers[0..7]]');
    }
    case 'bool': {
      if (expr.kind === 'Identifier' && (expr.name === 'true' || expr.name === 'false') && scope.lookup(expr.name) === undefined) return expr.name === 'true';
      const value = evaluate(context, scope, expr);
      return value.kind === 'error' ? INVALID : wrong('true or false');
    }
    case 'int':
    case 'number': {
      const value = evaluate(context, scope, expr);
      if (value.kind === 'number') {
        if (spec.type === 'int' && !Number.isInteger(value.value)) return wrong(`a whole number, got ${value.value}`);
        return value.value;
      }
      return value.kind === 'error' ? INVALID : wrong(`a number, got ${describeValue(value)}`);
    }
    case 'int[]': {
      const value = evaluate(context, scope, expr);
      if (value.kind === 'list' && value.items.every((item) => item.kind === 'number' && Number.isInteger(item.value))) {
        return value.items.map((item) => (item as { value: number }).value);
      }
      return value.kind === 'error' ? INVALID : wrong('a list of whole numbers');
    }
  }
}

/** Returns the diagnostic code of a problem the block's option schema found. */
export function problemCode(kind: 'unknown' | 'type' | 'missing' | 'range'): string {
  if (kind === 'unknown') return 'TIER2104';
  if (kind === 'missing') return 'TIER2108';
  return 'TIER2105';
}

/** Converts an already evaluated value (a port argument that was not a tensor) to an option. */
export function optionFromValue(value: Value): unknown {
  switch (value.kind) {
    case 'number':
      return value.value;
    case 'string':
      return value.value;
    case 'word':
      return value.name;
    case 'list':
      return value.items.map(optionFromValue);
    default:
      return ERROR;
  }
}
