import { describe, expect, it } from 'vitest';
import { errorCodeOf } from './helpers.js';
import {
  EvalError,
  embedPrompts,
  ensembleScores,
  evaluateZeroShot,
  expandPrompts,
  fillLabel,
  scoreImages,
  type TextEncoder,
} from '../../src/eval/index.js';

/** Builds a text encoder that looks texts up in a table and records each call. */
function tableEncoder(table: Record<string, number[]>, calls: string[][] = []): TextEncoder {
  return async (texts) => {
    calls.push(texts);
    return texts.map((text) => {
      const vector = table[text];
      if (vector === undefined) throw new Error(`no embedding for '${text}'`);
      return Float32Array.from(vector);
    });
  };
}


describe('prompt expansion', () => {
  it('lowercases the label inside a sentence', () => {
    expect(fillLabel('No {label}.', 'Cardiomegaly')).toBe('No cardiomegaly.');
    expect(fillLabel('No {label}.', 'Pleural Effusion')).toBe('No pleural effusion.');
  });

  it('capitalizes a label that opens the prompt', () => {
    expect(fillLabel('{label} is present.', 'Pleural Effusion')).toBe('Pleural effusion is present.');
  });

  it('keeps the label as written on request', () => {
    expect(fillLabel('No {label}.', 'ARDS', 'keep')).toBe('No ARDS.');
  });

  it('combines own and shared negatives per label', () => {
    const expanded = expandPrompts({
      labels: {
        Cardiomegaly: ['Cardiomegaly is present.', 'The heart shadow is enlarged.'],
        Edema: { positives: ['{label} is seen.'], negatives: ['The vessels are normal.'] },
      },
      negatives: ['The lungs are clear.', 'No {label}.'],
    });
    expect(expanded.labels[0]).toEqual({
      label: 'Cardiomegaly',
      positives: ['Cardiomegaly is present.', 'The heart shadow is enlarged.'],
      negatives: ['The lungs are clear.', 'No cardiomegaly.'],
    });
    expect(expanded.labels[1]?.positives).toEqual(['Edema is seen.']);
    expect(expanded.labels[1]?.negatives).toEqual(['The vessels are normal.', 'The lungs are clear.', 'No edema.']);
    expect(expanded.reference).toEqual(['The lungs are clear.']);
  });

  it('rejects unknown placeholders and empty sets', async () => {
    expect(await errorCodeOf(() => expandPrompts({ labels: { Edema: ['x'] }, negatives: ['No {lable}.'] }))).toBe('TIER7011');
    expect(await errorCodeOf(() => expandPrompts({ labels: { Edema: [] }, negatives: ['No {label}.'] }))).toBe('TIER7010');
    expect(await errorCodeOf(() => expandPrompts({ labels: { Edema: ['Edema.'] } }))).toBe('TIER7010');
  });
});

describe('zero-shot scores', () => {
  // Width 2: the positive prompt points along x, the negative along y.
  const table = { 'Edema.': [2, 0], 'No edema.': [0, 3] };
  const prompts = { labels: { Edema: ['Edema.'] }, negatives: ['No {label}.'] };

  it('computes the cosine difference', async () => {
    const embeddings = await embedPrompts(expandPrompts(prompts), tableEncoder(table));
    const angle = Math.PI / 6;
    const scores = scoreImages([[Math.cos(angle) * 5, Math.sin(angle) * 5], [0, 1]], embeddings);
    expect(scores.scores.Edema?.[0]).toBeCloseTo(Math.cos(angle) - Math.sin(angle), 6);
    expect(scores.scores.Edema?.[1]).toBeCloseTo(-1, 6);
    expect(scores.rule).toBe('difference');
  });

  it('computes the two-way softmax with a logit scale', async () => {
    const embeddings = await embedPrompts(expandPrompts(prompts), tableEncoder(table));
    const plain = scoreImages([[1, 0]], embeddings, { rule: 'softmax2' });
    expect(plain.scores.Edema?.[0]).toBeCloseTo(Math.exp(1) / (Math.exp(1) + Math.exp(0)), 9);
    const scaled = scoreImages([[1, 0]], embeddings, { rule: 'softmax2', logitScale: 10 });
    expect(scaled.scores.Edema?.[0]).toBeCloseTo(1 / (1 + Math.exp(-10)), 9);
  });

  it('averages and re-normalizes a prompt set', async () => {
    const encoder = tableEncoder({ a: [1, 0], b: [0, 4], n: [-1, 0] });
    const embeddings = await embedPrompts(expandPrompts({ labels: { X: ['a', 'b'] }, negatives: ['n'] }), encoder);
    expect(embeddings.labels[0]?.positive[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(embeddings.labels[0]?.positive[1]).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('encodes each distinct prompt once', async () => {
    const calls: string[][] = [];
    const encoder = tableEncoder({ 'A.': [1, 0], 'B.': [0, 1], 'Clear.': [1, 1] }, calls);
    await embedPrompts(expandPrompts({ labels: { A: ['A.'], B: ['B.', 'A.'] }, negatives: ['Clear.'] }), encoder);
    expect(calls).toEqual([['A.', 'Clear.', 'B.']]);
  });

  it('averages checkpoints in an ensemble', async () => {
    const embeddings = await embedPrompts(expandPrompts(prompts), tableEncoder(table));
    const first = scoreImages([[1, 0], [0, 1]], embeddings);
    const second = scoreImages([[1, 1], [1, 0]], embeddings);
    const ensemble = ensembleScores([first, second]);
    expect(ensemble.scores.Edema?.[0]).toBeCloseTo((1 + 0) / 2, 6);
    expect(ensemble.scores.Edema?.[1]).toBeCloseTo((-1 + 1) / 2, 6);
    expect(ensemble.checkpoints).toBe(2);
  });

  it('rejects a wrong embedding count', async () => {
    const short: TextEncoder = async () => [Float32Array.from([1, 0])];
    expect(await errorCodeOf(() => embedPrompts(expandPrompts(prompts), short))).toBe('TIER7012');
  });

  it('rejects mismatched widths', async () => {
    const embeddings = await embedPrompts(expandPrompts(prompts), tableEncoder(table));
    expect(await errorCodeOf(() => scoreImages([[1, 0, 0]], embeddings))).toBe('TIER7013');
  });
});

describe('evaluateZeroShot', () => {
  it('scores, ensembles and tabulates', async () => {
    const table = { 'Edema.': [1, 0], 'No edema.': [0, 1], 'Mass.': [0, 1], 'No mass.': [1, 0] };
    const images = [[1, 0.1], [0.2, 1], [0.9, 0.3], [0.1, 0.8]];
    const checkpoint = { imageEmbeddings: images, encodeText: tableEncoder(table) };
    const result = await evaluateZeroShot({
      checkpoints: [checkpoint, { ...checkpoint, name: 'second.ckpt' }],
      prompts: { labels: { Edema: ['Edema.'], Mass: ['Mass.'] }, negatives: ['No {label}.'] },
      labels: { Edema: [1, 0, 1, 0], Mass: [1, 0, 0, -1], Other: [0, 0, 0, 0] },
      bootstrap: { resamples: 50, seed: 1 },
    });
    expect(result.table.rows.map((row) => row.label)).toEqual(['Edema', 'Mass']);
    expect(result.table.rows[0]?.auroc).toBe(1);
    expect(result.table.rows[1]?.auroc).toBe(0);
    expect(result.scores.checkpoints).toBe(2);
    expect(result.perCheckpoint).toHaveLength(2);
  });

  it('names the checkpoint in errors', async () => {
    const bad: TextEncoder = async () => [];
    try {
      await evaluateZeroShot({
        checkpoints: [{ name: 'epoch3.ckpt', imageEmbeddings: [[1, 0]], encodeText: bad }],
        prompts: { labels: { Edema: ['Edema.'] }, negatives: ['No {label}.'] },
        labels: { Edema: [1] },
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EvalError);
      expect((error as EvalError).message).toContain("checkpoint 'epoch3.ckpt'");
    }
  });
});
