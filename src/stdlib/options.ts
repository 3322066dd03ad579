// Option schemas of standard-library blocks and their validation.
//
// Each block declares its options with a type, a default and a one-line description. The
// lowering passes the options a spec wrote to `resolveOptions`, which fills defaults and
// returns problems (unknown option with a close suggestion, wrong type, missing required
// option, value out of range) as data so they become TIER2xxx diagnostics with spans.
import type { Size } from '../ir/index.js';

export type OptionType =
  | 'int'
  | 'number'
  | 'bool'
  | 'string'
  | 'enum'
  | 'int[]'
  | 'string[]'
  /** An axis position (non-negative integer) or an axis name of the block's input. */
  | 'axis'
  /** A list of axes, each a position or a name. */
  | 'axes';

export interface OptionSpec {
  type: OptionType;
  /** Default value. `undefined` makes the option required; `null` makes it optional with no value. */
  default?: unknown;
  /** Allowed values of an `enum` option. */
  values?: readonly string[];
  /** Inclusive lower bound of an `int` or `number` option. */
  min?: number;
  /** Exclusive upper bound of a `number` option (for rates in [0, 1)). */
  below?: number;
  doc: string;
}

/**
 * A user-facing problem found while expanding a block with valid option types: an axis
 * name the input lacks, a freeze pattern that names no sub-module, a width that does not
 * divide into heads. The lowering reports it as a diagnostic at the block's span.
 */
export class BlockError extends Error {
  override readonly name = 'BlockError';

  constructor(readonly block: string, message: string, readonly option?: string) {
    super(message);
  }
}

/** An axis reference in an option: a position or the name of an axis of the input. */
export type AxisRef = number | string;

export interface OptionProblem {
  option: string;
  kind: 'unknown' | 'type' | 'missing' | 'range';
  message: string;
  /** A close valid option name, for "Did you mean …?". */
  suggestion?: string;
}

/** Edit distance between two short names (Levenshtein). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Finds the closest candidate within distance 2 (or a third of the name's length, if larger). */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function isAxisRef(v: unknown): v is AxisRef {
  return typeof v === 'string' || (Number.isInteger(v) && (v as number) >= 0);
}

function typeMatches(spec: OptionSpec, value: unknown): boolean {
  switch (spec.type) {
    case 'int': return Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'bool': return typeof value === 'boolean';
    case 'string': return typeof value === 'string';
    case 'enum': return typeof value === 'string' && (spec.values ?? []).includes(value);
    case 'int[]': return Array.isArray(value) && value.every((v) => Number.isInteger(v));
    case 'string[]': return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'axis': return isAxisRef(value);
    case 'axes': return isAxisRef(value) || (Array.isArray(value) && value.every(isAxisRef));
  }
}

function describeType(spec: OptionSpec): string {
  if (spec.type === 'enum') return `one of ${(spec.values ?? []).map((v) => `'${v}'`).join(', ')}`;
  const words: Record<OptionType, string> = {
    int: 'an integer', number: 'a number', bool: 'true or false', string: 'a string', enum: '',
    'int[]': 'a list of integers', 'string[]': 'a list of names', axis: 'an axis', axes: 'an axis or a list of axes',
  };
  return words[spec.type];
}

/**
 * Fills defaults into the options a spec gave and checks them against the schema. Returns
 * the full options object when there are no problems.
 */
export function resolveOptions<O>(
  block: string,
  schema: { [K in keyof O]-?: OptionSpec },
  given: Readonly<Record<string, unknown>>,
): { options: O; problems: [] } | { options?: undefined; problems: OptionProblem[] } {
  const problems: OptionProblem[] = [];
  const names = Object.keys(schema);
  const resolved: Record<string, unknown> = {};

  for (const [key, value] of Object.entries(given)) {
    if (!(key in schema)) {
      const suggestion = closestName(key, names);
      const problem: OptionProblem = { option: key, kind: 'unknown', message: `'${block}' has no option '${key}'.` };
      if (suggestion) {
        problem.suggestion = suggestion;
        problem.message += ` Did you mean '${suggestion}'?`;
      }
      problems.push(problem);
    }
  }

  for (const key of names) {
    const spec = (schema as Record<string, OptionSpec>)[key]!;
    const value = key in given ? given[key] : spec.default;
    if (value === undefined) {
      problems.push({ option: key, kind: 'missing', message: `'${block}' needs option '${key}' (${spec.doc}).` });
      continue;
    }
    if (value !== null && !typeMatches(spec, value)) {
      problems.push({ option: key, kind: 'type', message: `Option '${key}' of '${block}' must be ${describeType(spec)}, got ${JSON.stringify(value)}.` });
      continue;
    }
    if (typeof value === 'number') {
      const low = spec.min !== undefined && value < spec.min;
      const high = spec.below !== undefined && value >= spec.below;
      if (low || high) {
        const range = spec.below !== undefined ? `[${spec.min ?? '-inf'}, ${spec.below})` : `at least ${spec.min}`;
        problems.push({ option: key, kind: 'range', message: `Option '${key}' of '${block}' must be ${range}, got ${value}.` });
        continue;
      }
    }
    resolved[key] = Array.isArray(value) ? [...value] : value;
  }

  if (problems.length > 0) return { problems };
  return { options: resolved as O, problems: [] };
}

/** Collects the default values of an options schema, for `tierc explain`. */
export function defaultsOf(schema: Record<string, OptionSpec>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) if (spec.default !== undefined) out[key] = spec.default;
  return out;
}

/**
 * Expands freeze patterns into parameter name prefixes. A pattern is a sub-module name
 * (`embeddings`), an indexed one (`layers[3]`) or an inclusive range (`layers[0..7]`);
 * `targets` maps each accepted name, with indices written out, to its parameter prefixes.
 */
export function freezePrefixes(block: string, patterns: readonly string[], targets: Readonly<Record<string, string | readonly string[]>>): string[] {
  const prefixes: string[] = [];
  for (const pattern of patterns) {
    const range = /^([A-Za-z_][\w.]*)\[(\d+)\.\.(\d+)\]$/.exec(pattern);
    const names = range
      ? Array.from({ length: Math.max(0, Number(range[3]) - Number(range[2]) + 1) }, (_, i) => `${range[1]}[${Number(range[2]) + i}]`)
      : [pattern];
    if (names.length === 0) throw new BlockError(block, `Freeze pattern '${pattern}' of '${block}' is an empty range.`, 'freeze');
    for (const name of names) {
      const prefix = targets[name];
      if (prefix === undefined) {
        const suggestion = closestName(name, Object.keys(targets));
        throw new BlockError(block, `'${block}' has no sub-module '${name}' to freeze.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`, 'freeze');
      }
      prefixes.push(...(typeof prefix === 'string' ? [prefix] : prefix));
    }
  }
  return prefixes;
}

/** Resolves an axis option against the axis names of a value's type. Returns the position or throws. */
export function resolveAxis(axes: readonly { name: string; size: Size }[], ref: AxisRef, block: string): number {
  if (typeof ref === 'number') {
    if (ref >= axes.length) throw new BlockError(block, `Axis ${ref} is out of range for '${block}' on a value of rank ${axes.length}.`);
    return ref;
  }
  const index = axes.findIndex((a) => a.name === ref);
  if (index < 0) {
    const names = axes.map((a) => a.name).filter(Boolean);
    throw new BlockError(block, `Axis '${ref}' is not an axis of the input of '${block}', which has axes [${names.join(', ')}].`);
  }
  return index;
}

/** Options every pretrained encoder shares: which sub-modules to freeze and which checkpoint to load. */
export const ENCODER_OPTIONS = {
  freeze: { type: 'string[]', default: [], doc: "sub-modules whose parameters stay fixed, for example ['embeddings', 'layers[0..7]']" },
  init: { type: 'string', default: null, doc: 'safetensors checkpoint to load; tensor names are the parameter names inside the block' },
} as const satisfies Record<string, OptionSpec>;

export interface EncoderOptions {
  freeze: string[];
  init: string | null;
}
