import { describe, expect, it } from 'vitest';
import { closestMatch, didYouMean, editDistance } from '../../src/diagnostics/index.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('trian', 'train')).toBe(1);
    expect(editDistance('optimzier', 'optimizer')).toBe(1);
  });

  it('stops early past the limit', () => {
    expect(editDistance('abcdefgh', 'zzzzzzzz', 2)).toBe(3);
  });
});

describe('closestMatch', () => {
  const keys = ['model', 'data', 'batch', 'duration', 'optimizer', 'checkpoint', 'seed'];

  it('suggests a close key', () => {
    expect(closestMatch('optimiser', keys)).toBe('optimizer');
    expect(closestMatch('chekpoint', keys)).toBe('checkpoint');
    expect(closestMatch('Seed', keys)).toBe('seed');
  });

  it('suggests nothing for a distant name', () => {
    expect(closestMatch('learning_rate', keys)).toBeUndefined();
    expect(closestMatch('xy', keys)).toBeUndefined();
  });

  it('formats the suggestion sentence', () => {
    expect(didYouMean('bach', keys)).toBe(" Did you mean 'batch'?");
    expect(didYouMean('zzzz', keys)).toBe('');
  });
});
