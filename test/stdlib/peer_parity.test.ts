// The peer SMALL model built from standard blocks computes the same loss terms as the
// PyTorch reference at the same weights. The expected numbers come from
// fixtures/peer_small_reference.py (float64 PyTorch); the weight formula is mirrored here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { interpret } from '../../src/ir/interpret.js';
import type { Param } from '../../src/ir/index.js';
import { peerSmallModule } from './peer_small.js';

interface Reference {
  tokens: number[][];
  clip: number;
  words: number;
  regions: number;
  total: number;
  image_embedding_row0: number[];
  text_embedding_row1: number[];
}

const reference = JSON.parse(readFileSync(new URL('./fixtures/peer_small_loss.json', import.meta.url), 'utf8')) as Reference;

/** base + amp·sin(0.37·i + h), h = sum of the name's char codes mod 997; the same formula as the Python script. */
function weightValues(param: Param): number[] {
  if (param.name === 'logit_scale') return [Math.log(1 / 0.07)];
  const count = param.shape.reduce((a, b) => a * b, 1);
  let h = 0;
  for (const ch of param.name) h += ch.charCodeAt(0);
  h %= 997;
  const isNormScale = param.shape.length === 1 && param.name.includes('ln') && param.name.endsWith('.weight');
  const [base, amp] = isNormScale ? [1, 0.1] : [0, 0.05];
  return Array.from({ length: count }, (_, i) => base + amp * Math.sin(0.37 * i + h));
}

describe('peer SMALL parity', () => {
  const module = peerSmallModule();
  for (const loss of module.losses) module.outputs[`loss.${loss.name}`] = loss.value;
  const batch = reference.tokens.length;
  const pixels = Array.from({ length: 64 * 64 }, (_, i) => 0.5 + 0.5 * Math.sin(0.013 * i));
  const result = interpret(module, {
    inputs: {
      image: { shape: [batch, 1, 64, 64], data: Array.from({ length: batch }, () => pixels).flat() },
      token_ids: { shape: [batch, 32], data: reference.tokens.flat() },
    },
    weights: new Map(module.params.map((p) => [p.name, weightValues(p)])),
    mode: 'inference',
    outputs: ['loss.clip', 'loss.words', 'loss.regions', 'image_embedding', 'text_embedding'],
  });
  const value = (name: string) => result[name]!.data[0]!;

  it('embeddings match', () => {
    const image = Array.from(result['image_embedding']!.data).slice(0, 4);
    const text = Array.from(result['text_embedding']!.data).slice(64, 68);
    image.forEach((v, i) => expect(v).toBeCloseTo(reference.image_embedding_row0[i]!, 9));
    text.forEach((v, i) => expect(v).toBeCloseTo(reference.text_embedding_row1[i]!, 9));
  });

  it('InfoNCE term matches', () => {
    expect(value('loss.clip')).toBeCloseTo(reference.clip, 9);
  });

  it('token to patch entropy matches', () => {
    expect(value('loss.words')).toBeCloseTo(reference.words, 9);
  });

  it('patch to token entropy matches', () => {
    expect(value('loss.regions')).toBeCloseTo(reference.regions, 9);
  });

  it('weighted total matches', () => {
    const total = module.losses.reduce((sum, l) => sum + (l.weight.kind === 'constant' ? l.weight.value : 0) * value(`loss.${l.name}`), 0);
    expect(total).toBeCloseTo(reference.total, 9);
  });
});
