import { describe, expect, it } from 'vitest';
import { countParams, formatType, verifyModule } from '../../src/ir/index.js';
import { peerSmallModule } from './peer_small.js';

describe('peer SMALL model', () => {
  it('has 1,752,065 parameters', () => {
    const counts = countParams(peerSmallModule());
    expect(counts.total).toBe(1_752_065);
    expect(counts.buffers).toBe(0);
  });

  it('counts per component', () => {
    const { components } = countParams(peerSmallModule());
    // Vision: patch conv 8,192 + class 128 + positions 8,320 + ln_pre/ln_post 512 + 4 blocks × 198,272.
    expect(components['vision']!.total).toBe(810_240);
    // Text: token table 128,000 + positions 4,096 + ln_final 256 + 4 blocks × 198,272.
    expect(components['text']!.total).toBe(925_440);
    expect(components['vision_proj']!.total).toBe(8_192);
    expect(components['text_proj']!.total).toBe(8_192);
    expect(components['logit_scale']!.total).toBe(1);
  });

  it('module verifies', () => {
    expect(verifyModule(peerSmallModule())).toEqual([]);
  });

  it('similarity is per pair', () => {
    const module = peerSmallModule();
    expect(formatType(module.nodes[module.outputs['similarity']!]!.type)).toBe('f32[batch, token, 64]');
  });
});
