// Prompt embeddings for the zero-shot graph: the text tower in onnxruntime against the
// interpreter, and the averaging of a prompt set.
import { describe, expect, it } from 'vitest';
import { averagePromptSet, embedTexts } from '../../../src/backends/onnx/index.js';
import { interpret } from '../../../src/ir/interpret.js';
import { tinyClip, tinyInputs, weightsFor } from '../../backends/onnx/models.js';

describe('embedTexts', () => {
  it('matches the interpreter text embedding', async () => {
    const module = tinyClip();
    const weights = weightsFor(module);
    const inputs = tinyInputs(module, 3, 5);
    const rows = await embedTexts(module, weights, inputs);
    const reference = interpret(module, { inputs, weights, mode: 'inference', outputs: ['text_embedding'] }).text_embedding!;
    expect(rows).toHaveLength(3);
    rows.forEach((row, r) => row.forEach((value, i) => expect(Math.abs(value - reference.data[r * 8 + i]!)).toBeLessThan(1e-5)));
  });

  it('names a missing input', async () => {
    const module = tinyClip();
    const { tokens } = tinyInputs(module, 1, 4);
    await expect(embedTexts(module, weightsFor(module), { tokens: tokens! })).rejects.toThrow("The text tower needs the input 'attention_mask', which was not given.");
  });
});

describe('averagePromptSet', () => {
  it('normalizes members before and after averaging', () => {
    const [x, y] = averagePromptSet([[3, 0], [0, 0.5]]);
    expect(x).toBeCloseTo(Math.SQRT1_2, 15);
    expect(y).toBeCloseTo(Math.SQRT1_2, 15);
    expect(averagePromptSet([[0, 2]])).toEqual([0, 1]);
  });
});
