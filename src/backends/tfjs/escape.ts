// Turns text from a spec into JavaScript that cannot break out of its place: string literals
// in JSON form with line and paragraph separators, backticks and `${` escaped as well, and
// comment text with newlines and `*/` neutralized.
import type { Literal } from './program.js';

/** A double-quoted JavaScript string literal for `text`. */
export function jsString(text: string): string {
  return JSON.stringify(text)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
    .replace(/`/g, '\\x60')
    .replace(/\$\{/g, '\\x24{');
}

/** Text safe inside both `//` and block comments: one line, no comment terminator. */
export function commentText(text: string): string {
  return jsString(text).slice(1, -1).replace(/\*\//g, '*\\/');
}

/** A number literal, including -0, infinities and NaN. */
export function jsNumber(value: number): string {
  if (Object.is(value, -0)) return '-0';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return String(value);
}

/** A JavaScript literal for a JSON-like value; object keys are always quoted string literals. */
export function jsLiteral(value: Literal | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number') return jsNumber(value);
  if (typeof value === 'string') return jsString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(jsLiteral).join(', ')}]`;
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return `{ ${entries.map(([key, v]) => `${jsString(key)}: ${jsLiteral(v)}`).join(', ')} }`;
}
