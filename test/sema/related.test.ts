// Shape diagnostics point at the use and, in related notes, at the declarations of the values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/compile.js';

function diagnosticsOf(name: string) {
  const text = readFileSync(join(import.meta.dirname, 'errors', name), 'utf8');
  return check({ entry: `/e/${name}`, files: { [`/e/${name}`]: text }, cwd: '/e' }).diagnostics;
}

describe('related notes', () => {
  it('name the declarations of both contraction operands', () => {
    const [diagnostic] = diagnosticsOf('contract_none.tier');
    expect(diagnostic!.related!.map((note) => [note.span.start.line, note.message])).toEqual([
      [4, "'text.padding' is declared here with shape [batch, token]."],
      [3, "'image.cls' is declared here with shape [batch, width=32]."],
    ]);
  });

  it('name the let whose axis is missing', () => {
    const [diagnostic] = diagnosticsOf('axis_not_in_value.tier');
    expect(diagnostic!.related!.map((note) => note.span.start.line)).toEqual([8]);
  });

  it('name the declared patch axis when the grid differs', () => {
    const [diagnostic] = diagnosticsOf('patch_grid.tier');
    expect(diagnostic!.related!.map((note) => [note.span.start.line, note.message])).toEqual([[2, "Axis 'patch' is declared here."]]);
  });
});
