import { describe, expect, it } from 'vitest';
import { IrBuilder, verifyModule } from '../../src/ir/index.js';
import type { IrModule } from '../../src/ir/index.js';

/** A small valid module: a linear layer and a mean loss. */
function smallModule(): IrModule {
  const b = new IrBuilder('small');
  b.symbol('batch');
  const x = b.input('x', 'scalar', { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: 'dim', size: 4 }] });
  const w = b.param({ name: 'w', shape: [4, 2], init: { kind: 'zeros' } });
  const y = b.matmul(x, w, { name: 'proj' });
  b.output('y', y);
  b.loss('l', b.reduceMean(y, [0, 1]));
  return b.finish();
}

function messages(module: IrModule): string[] {
  return verifyModule(module).map((p) => p.message);
}

describe('verifyModule', () => {
  it('valid module has no problems', () => {
    expect(verifyModule(smallModule())).toEqual([]);
  });

  it('input from a later node', () => {
    const m = smallModule();
    m.nodes[2]!.inputs = [0, 3];
    const problems = verifyModule(m);
    expect(problems[0]).toMatchObject({ node: 2, message: "'matmul' reads %3, which is not an earlier node." });
  });

  it('type differing from the rule', () => {
    const m = smallModule();
    m.nodes[2]!.type = { dtype: 'f32', axes: [{ name: 'batch', size: 'batch' }, { name: '', size: 3 }] };
    expect(messages(m)).toContain("'matmul' is typed f32[batch, 3], but its shape rule gives f32[batch, 2].");
  });

  it('renamed axes are accepted', () => {
    const m = smallModule();
    m.nodes[2]!.type.axes[1]!.name = 'embedding';
    expect(verifyModule(m)).toEqual([]);
  });

  it('missing parameter reference', () => {
    const m = smallModule();
    (m.nodes[1]!.attrs as { param: number }).param = 7;
    expect(messages(m)).toContain('Parameter #7 does not exist.');
  });

  it('undeclared symbol in a type', () => {
    const m = smallModule();
    m.symbols = [];
    expect(messages(m)).toContain("Graph input 'x' has size 'batch', which is neither a non-negative integer nor a declared symbol.");
  });

  it('missing output and non-scalar loss', () => {
    const m = smallModule();
    m.outputs['ghost'] = 99;
    m.losses.push({ name: 'wide', value: 2, weight: { kind: 'constant', value: 1 } });
    const found = messages(m);
    expect(found).toContain("Output 'ghost' refers to %99, which does not exist.");
    expect(found).toContain("Loss 'wide' must be a scalar f32, got f32[batch, 2].");
  });

  it('unused parameter unless allowed', () => {
    const b = new IrBuilder('u');
    b.param({ name: 'pooler.weight', shape: [2, 2], init: { kind: 'zeros' } });
    b.param({ name: 'spare', shape: [2], init: { kind: 'zeros' }, allowUnused: true });
    expect(messages(b.finish())).toEqual(["Parameter 'pooler.weight' is never read; set allowUnused if that is intended."]);
  });

  it('bad clamp and warmup', () => {
    const m = smallModule();
    m.clamps.push({ param: 5 });
    m.losses[0]!.weight = { kind: 'warmup', from: 0, to: 0.2, steps: 0 };
    const found = messages(m);
    expect(found).toContain('A clamp refers to parameter #5, which does not exist.');
    expect(found).toContain("Loss 'l' warms up over 0 steps; the step count must be a positive integer.");
  });

  it('trainable buffer and duplicate names', () => {
    const m = smallModule();
    m.params.push({ ...m.params[0]!, role: 'buffer', trainable: true, allowUnused: true });
    const found = messages(m);
    expect(found).toContain("Parameter 'w' is declared more than once.");
    expect(found).toContain("Buffer 'w' is marked trainable.");
  });
});
