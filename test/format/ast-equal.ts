// Compares parse trees by meaning: the same nodes and values, whatever their spans and layout.
import type { SpecFile } from '../../src/ast/index.js';

/** A copy of `value` without `span` properties and without the comment list. */
export function withoutSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSpans);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'span' || key === 'comments') continue;
    copy[key] = withoutSpans(child);
  }
  return copy;
}

/** The comment texts of a file, trimmed and sorted (the formatter may move a comment to a line end). */
export function commentTexts(ast: SpecFile): string[] {
  return ast.comments.map((comment) => comment.text.trim()).sort();
}
