// Runs a program model in memory: the forward function calls the runtime kernels statement
// by statement, exactly as the printed `model.js` does, so `tierc train` and the emitted
// program produce the same numbers for the same seed.
import type * as tf from '@tensorflow/tfjs-core';
import { kernels, type KernelContext } from '../../runtime/kernels/index.js';
import type { CompiledModel, ForwardResult } from '../../runtime/model.js';
import type { Operand, TfjsProgram } from './program.js';

type AnyKernel = (ctx: KernelContext, ...args: unknown[]) => tf.Tensor;

/** Builds the in-memory equivalent of `import * as model from './model.js'`. */
export function compileInMemory(program: TfjsProgram): CompiledModel {
  const forward = (ctx: KernelContext, params: Record<string, tf.Tensor>, inputs: Record<string, tf.Tensor>): ForwardResult => {
    const values = new Map<string, tf.Tensor>();
    const read = (operand: Operand): tf.Tensor => {
      const source = operand.kind === 'param' ? params[operand.name] : operand.kind === 'input' ? inputs[operand.name] : values.get(operand.name);
      if (source === undefined) throw new Error(`The ${operand.kind} '${operand.name}' has no value.`);
      return source;
    };
    for (const component of program.components) {
      for (const statement of component.statements) {
        const kernel = kernels[statement.kernel] as unknown as AnyKernel;
        values.set(statement.target, kernel(ctx, ...statement.operands.map(read), statement.attrs));
      }
    }
    const losses: Record<string, tf.Tensor> = {};
    for (const [name, operand] of Object.entries(program.losses)) losses[name] = read(operand);
    const outputs: Record<string, tf.Tensor> = {};
    for (const [name, operand] of Object.entries(program.outputs)) outputs[name] = read(operand);
    return { losses, outputs };
  };
  return { MODEL: program.info, forward };
}
