// Runs a program model in memory: the forward function calls the runtime kernels statement
// by statement, exactly as the printed `model.js` does, so `tierc train` and the emitted
// program produce the same numbers for the same seed.
import type * as tf from '@tensorflow/tfjs-core';
import { kernels, type KernelContext } from '../../runtime/kernels/index.js';
import type { CompiledModel, ForwardResult, SplitForward } from '../../runtime/model.js';
import type { Operand, Statement, TfjsProgram } from './program.js';
import { splitProgram, trainedLosses } from './split.js';

type AnyKernel = (ctx: KernelContext, ...args: unknown[]) => tf.Tensor;

/** Builds the in-memory equivalent of `import * as model from './model.js'`. */
export function compileInMemory(program: TfjsProgram): CompiledModel {
  const statements = program.components.flatMap((component) => component.statements);
  const forward = (ctx: KernelContext, params: Record<string, tf.Tensor>, inputs: Record<string, tf.Tensor>): ForwardResult => {
    const read = run(ctx, statements, params, inputs, new Map());
    const losses: Record<string, tf.Tensor> = {};
    for (const [name, operand] of Object.entries(program.losses)) losses[name] = read(operand);
    const outputs: Record<string, tf.Tensor> = {};
    for (const [name, operand] of Object.entries(program.outputs)) outputs[name] = read(operand);
    return { losses, outputs };
  };
  const trained = trainedLosses(program);
  const trainingStatements = statementsFor(statements, trained.map((name) => program.losses[name]!));
  const forwardTraining = (ctx: KernelContext, params: Record<string, tf.Tensor>, inputs: Record<string, tf.Tensor>): Record<string, tf.Tensor> => {
    const read = run(ctx, trainingStatements, params, inputs, new Map());
    return Object.fromEntries(trained.map((name) => [name, read(program.losses[name]!)]));
  };
  const model: CompiledModel = { MODEL: program.info, forward, forwardTraining };
  const split = splitProgram(program);
  if (split) model.split = splitForward(program, split);
  return model;
}

/** Selects the statements that `roots` depend on, in their original order. */
export function statementsFor(statements: Statement[], roots: Operand[]): Statement[] {
  const producer = new Map(statements.map((statement) => [statement.target, statement]));
  const needed = new Set<string>();
  const stack = roots.filter((operand) => operand.kind === 'value').map((operand) => operand.name);
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (needed.has(name)) continue;
    needed.add(name);
    for (const operand of producer.get(name)?.operands ?? []) if (operand.kind === 'value') stack.push(operand.name);
  }
  return statements.filter((statement) => needed.has(statement.target));
}

/** Runs `statements` and returns a reader for any operand. */
function run(ctx: KernelContext, statements: Statement[], params: Record<string, tf.Tensor>, inputs: Record<string, tf.Tensor>, values: Map<string, tf.Tensor>) {
  const lookup = (operand: Operand): tf.Tensor | undefined => {
    if (operand.kind === 'param') return params[operand.name];
    if (operand.kind === 'input') return inputs[operand.name];
    return values.get(operand.name);
  };
  const read = (operand: Operand): tf.Tensor => {
    const source = lookup(operand);
    if (source === undefined) throw new Error(`The ${operand.kind} '${operand.name}' has no value.`);
    return source;
  };
  for (const statement of statements) {
    const kernel = kernels[statement.kernel] as unknown as AnyKernel;
    values.set(statement.target, kernel(ctx, ...statement.operands.map(read), statement.attrs));
  }
  return read;
}

function splitForward(program: TfjsProgram, split: NonNullable<ReturnType<typeof splitProgram>>): SplitForward {
  return {
    cut: split.cut,
    rows(ctx, params, inputs) {
      const read = run(ctx, split.rowStatements, params, inputs, new Map());
      const cut: Record<string, tf.Tensor> = {};
      for (const entry of split.cut) {
        cut[entry] = entry.startsWith('input:') ? read({ kind: 'input', name: entry.slice(6) }) : read({ kind: 'value', name: entry });
      }
      return cut;
    },
    loss(ctx, params, cut) {
      const inputs: Record<string, tf.Tensor> = {};
      const values = new Map<string, tf.Tensor>();
      for (const [entry, tensor] of Object.entries(cut)) {
        if (entry.startsWith('input:')) inputs[entry.slice(6)] = tensor;
        else values.set(entry, tensor);
      }
      const read = run(ctx, split.lossStatements, params, inputs, values);
      return Object.fromEntries(trainedLosses(program).map((name) => [name, read(program.losses[name]!)]));
    },
  };
}
