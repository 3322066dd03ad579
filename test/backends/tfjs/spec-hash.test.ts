// The spec hash that checkpoints record: it changes with everything that changes the trained
// function (loss weights and their schedules, constants such as temperatures, clamps, frozen
// parameters, initializers) and stays the same for a copy of the module.
import { describe, expect, it } from 'vitest';
import { clipTierModule } from '../../../src/backends/tfjs/clip-model.js';
import { specHash } from '../../../src/backends/tfjs/index.js';
import type { IrModule } from '../../../src/ir/types.js';

const TINY = { image: 8, channels: 1, patch: 4, width: 16, layers: 1, heads: 2, mlp: 32, vocab: 20, context: 6, embed: 8, act: 'quick_gelu' } as const;

function changed(edit: (module: IrModule) => void): string {
  const module = structuredClone(clipTierModule(TINY));
  edit(module);
  return specHash(module);
}

describe('specHash', () => {
  const base = specHash(clipTierModule(TINY));

  it('is stable for a copy of the module', () => {
    expect(specHash(structuredClone(clipTierModule(TINY)))).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, (module: IrModule) => void]>([
    ['a constant loss weight', (m) => void (m.losses[0]!.weight = { kind: 'constant', value: 0.5 })],
    ['a weight schedule', (m) => void (m.losses[0]!.weight = { kind: 'warmup', from: 0, to: 1, steps: 100 })],
    ['a constant such as a temperature', (m) => {
      const constant = m.nodes.find((node) => node.op === 'constant') as { attrs: { values: number[] } } | undefined;
      if (constant === undefined) throw new Error('the module has no constant node');
      constant.attrs.values[0] = (constant.attrs.values[0] ?? 0) + 1;
    }],
    ['a clamp bound', (m) => {
      if (m.clamps[0] === undefined) throw new Error('the module has no clamp');
      m.clamps[0].max = 50;
    }],
    ['a frozen parameter', (m) => void (m.params[0]!.trainable = !m.params[0]!.trainable)],
    ['an initializer', (m) => void (m.params[0]!.init = { kind: 'zeros' })],
  ])('changes with %s', (_name, edit) => {
    expect(changed(edit)).not.toBe(base);
  });

  it('ignores spans and node names', () => {
    expect(changed((m) => m.nodes.forEach((node, i) => void (node.name = `renamed.${i}`)))).toBe(base);
  });
});
