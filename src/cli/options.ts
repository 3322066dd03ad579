// Parsers for numeric and backend command-line options. Commander calls them while it reads the arguments,
// so a bad value stops the command before it starts, with exit code 2 and a message that names
// the option: "option '--n <count>' argument 'abc' is invalid. Expected a whole number of at
// least 1."
import { InvalidArgumentError } from 'commander';
import { BACKEND_ORDER, isBackendName, type BackendName } from '../runtime/backend-names.js';

export interface NumberRange {
  min?: number;
  max?: number;
  /** Whether `min` itself is excluded, as for a tolerance that must be above 0. */
  aboveMin?: boolean;
  /** Whether `max` itself is excluded. */
  belowMax?: boolean;
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Describes `range` for a message, such as 'from 32 to 2048' or 'of at least 1'. */
function describeRange(range: NumberRange): string {
  const { min, max } = range;
  if (min !== undefined && max !== undefined) {
    if (range.aboveMin === true || range.belowMax === true) return `${range.aboveMin === true ? 'above' : 'from'} ${min} and ${range.belowMax === true ? 'below' : 'up to'} ${max}`;
    return `from ${min} to ${max}`;
  }
  if (min !== undefined) return range.aboveMin === true ? `above ${min}` : `of at least ${min}`;
  if (max !== undefined) return range.belowMax === true ? `below ${max}` : `of at most ${max}`;
  return '';
}

function expected(what: string, range: NumberRange): string {
  const bounds = describeRange(range);
  return bounds === '' ? `Expected ${what}.` : `Expected ${what} ${bounds}.`;
}

function inRange(value: number, range: NumberRange): boolean {
  if (range.min !== undefined && (range.aboveMin === true ? value <= range.min : value < range.min)) return false;
  if (range.max !== undefined && (range.belowMax === true ? value >= range.max : value > range.max)) return false;
  return true;
}

/** Returns a parser that accepts text matching `pattern` whose value passes `valid` and lies in `range`. */
function rangedParser(what: string, pattern: RegExp, valid: (value: number) => boolean, range: NumberRange): (text: string) => number {
  return (text) => {
    const trimmed = text.trim();
    const value = Number(trimmed);
    if (!pattern.test(trimmed) || !valid(value) || !inRange(value, range)) throw new InvalidArgumentError(expected(what, range));
    return value;
  };
}

/** Returns a parser for a whole-number option in `range`. */
export function integerOption(range: NumberRange = {}): (text: string) => number {
  return rangedParser('a whole number', INTEGER, Number.isSafeInteger, range);
}

/** Returns a parser for a decimal-number option in `range`, such as 0.95 or 1e-4. */
export function numberOption(range: NumberRange = {}): (text: string) => number {
  return rangedParser('a number', DECIMAL, Number.isFinite, range);
}

/**
 * Returns a parser that checks the text with `parse` but keeps it as text, for commands whose
 * action still converts the option itself.
 */
export function checkedText(parse: (text: string) => unknown): (text: string) => string {
  return (text) => {
    parse(text);
    return text;
  };
}

/** Parses a `--backend` value: one of the tfjs backend names. */
export function backendOption(text: string): BackendName {
  if (!isBackendName(text)) throw new InvalidArgumentError(`Expected one of ${BACKEND_ORDER.join(', ')}.`);
  return text;
}

/** Seeds are used as 32-bit unsigned integers by the random generators. */
export const SEED_RANGE: NumberRange = { min: 0, max: 2 ** 32 - 1 };

/**
 * Help of `--blank` in `tierc data check` and `tierc eval`, which both default to negative. In
 * CheXpert-style labels a blank cell means that the report does not mention the finding, and
 * training and evaluation code usually count it as negative.
 */
export const BLANK_HELP = 'what a blank label cell counts as: negative (the report does not mention the finding) or ignore (left out)';
