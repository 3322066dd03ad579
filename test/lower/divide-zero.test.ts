// Dividing a tensor by a constant 0, as a similarity temperature of 0 does, is rejected when the
// spec is checked instead of giving NaN losses at the first training step.
import { describe, expect, it } from 'vitest';
import { check } from '../../src/compile.js';

const spec = (temperature: string) => `model m(temperature: ${temperature}) {
  axes { batch; token <= 8; patch = 2 * 2 }
  image encoder = vit(image: 32, patch: 16, width: 8, layers: 1, heads: 2)
  text encoder = bert(layers: 1, width: 8, heads: 2, vocab: 20, max_len: 8)
  let sim = normalize(text.tokens, over: width) . normalize(image.patches, over: width) / temperature
  loss clip = infonce(normalize(image.cls, over: width), normalize(text.cls, over: width))
}
`;

describe('division by zero', () => {
  it('rejects a temperature of 0', () => {
    const result = check(spec('0'));
    expect(result.ok).toBe(false);
    const found = result.diagnostics.map((d) => [d.code, d.span?.start.line, d.message]);
    expect(found).toEqual([['TIER2016', 5, 'Division by 0 makes every element infinite or NaN; divide by a positive number, such as a temperature above 0.']]);
  });

  it('accepts a positive temperature', () => {
    const result = check(spec('0.1'));
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('rejects an instance with temperature 0', () => {
    const result = check(`${spec('0.1')}model zero = m(temperature: 0)\n`);
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['TIER2016']);
  });
});
