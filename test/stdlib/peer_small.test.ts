import { describe, expect, it } from 'vitest';
import { countFlops, countParams, formatType, verifyModule } from '../../src/ir/index.js';
import { PAPER, peerSmallModule } from './peer_small.js';

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

  it('matmul FLOPs match the peer formula', () => {
    // The peer's analytic forward count (train_gflop_per_step / 3) at batch 32 is 5,319,098,368.
    // This module also selects the end-of-text row with a one-hot matmul (2·32·32·128) and
    // projects the pooled text vector apart from the tokens (2·32·128·64).
    const flops = countFlops(peerSmallModule(), { batch: 32, token: 32 });
    const extra = 2 * 32 * 32 * 128 + 2 * 32 * 128 * 64;
    expect(flops.byOp.matmul! + flops.byOp.conv2d!).toBe(5_319_098_368 + extra);
  });

  it('paper scale has 209,646,337 parameters', () => {
    expect(countParams(peerSmallModule(PAPER)).total).toBe(209_646_337);
  });
});
