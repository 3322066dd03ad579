// The tfjs forward pass of a compiled model with fixed weights, for evaluation and for checking
// the ONNX graphs. It runs the same in-memory program the trainer runs, in inference mode (no
// dropout, batch norm on its running statistics), and copies the named outputs to plain arrays.
import * as tf from '@tensorflow/tfjs-core';
import { compileTfjs } from '../backends/tfjs/index.js';
import type { Tensor } from '../eval/index.js';
import type { IrModule } from '../ir/types.js';
import { selectBackend, type BackendName } from '../runtime/backend.js';
import type { Batch } from '../runtime/data.js';
import { TrainingError } from '../runtime/errors.js';
import { createKernelContext } from '../runtime/kernels/index.js';
import { bindSizes, type CompiledModel } from '../runtime/model.js';
import { bindInputs } from '../runtime/trainer.js';
import { patchWasmOneHot } from './wasm-one-hot.js';

export interface ForwardRunner {
  backend: BackendName;
  model: CompiledModel;
  /** Runs one batch and returns the requested outputs as [batch, …] arrays. */
  run(batch: Batch, outputs: readonly string[]): Promise<Record<string, Tensor>>;
  /** When set, `run` also passes each batch's unweighted loss terms and its row count here. */
  onLosses?: ((terms: Record<string, number>, rows: number) => void) | undefined;
  dispose(): void;
}

/** Compiles `module` and uploads `weights`; every parameter must have a value of the right size. */
export async function createForwardRunner(module: IrModule, weights: ReadonlyMap<string, Float32Array>, options: { specFile?: string; backend?: BackendName } = {}): Promise<ForwardRunner> {
  const model = compileTfjs(module, options.specFile !== undefined ? { specFile: options.specFile } : {});
  await patchWasmOneHot();
  let chosen: BackendName;
  try {
    chosen = (await selectBackend(options.backend !== undefined ? { force: options.backend } : {})).chosen;
  } catch (error) {
    throw new TrainingError('TIER6014', (error as Error).message);
  }
  return createModelRunner(model, weights, chosen);
}

/**
 * Uploads `weights` for an already compiled `model` on `backend`, which must be the active tfjs
 * backend. Training uses this to evaluate its current weights without switching backends.
 */
export function createModelRunner(model: CompiledModel, weights: ReadonlyMap<string, Float32Array>, backend: BackendName): ForwardRunner {
  const params: Record<string, tf.Tensor> = {};
  for (const param of model.MODEL.params) {
    const values = weights.get(param.name);
    const size = param.shape.reduce((a, b) => a * b, 1);
    if (values === undefined || values.length !== size) {
      tf.dispose(Object.values(params));
      throw new TrainingError('TIER6006', `The weights have ${values === undefined ? 'no tensor' : `${values.length} values instead of ${size}`} for parameter '${param.name}' [${param.shape.join(', ')}].`, param.span);
    }
    params[param.name] = tf.tensor(values, param.shape, param.dtype === 'i32' ? 'int32' : 'float32');
  }
  const ctx = createKernelContext({ training: false, embeddingForm: backend === 'wasm' ? 'one_hot' : 'gather' });
  const runner: ForwardRunner = {
    backend,
    model,
    async run(batch, outputs) {
      const missing = outputs.filter((name) => !model.MODEL.outputs.includes(name));
      if (missing.length > 0) throw new Error(`The model has no output ${missing.map((name) => `'${name}'`).join(', ')}.`);
      const inputs = bindInputs(model.MODEL.inputs, batch);
      const lossNames = runner.onLosses === undefined ? [] : model.MODEL.losses.map((loss) => loss.name);
      try {
        bindSizes(ctx, model.MODEL, inputs);
        const computed = tf.tidy(() => {
          const result = model.forward(ctx, params, inputs);
          return [...outputs.map((name) => result.outputs[name] as tf.Tensor), ...lossNames.map((name) => result.losses[name] as tf.Tensor)];
        });
        const values: Record<string, Tensor> = {};
        for (const [index, name] of outputs.entries()) {
          const tensor = computed[index] as tf.Tensor;
          values[name] = { data: Float32Array.from(await tensor.data()), shape: [...tensor.shape] };
        }
        if (runner.onLosses !== undefined) {
          const terms: Record<string, number> = {};
          for (const [index, name] of lossNames.entries()) terms[name] = (await (computed[outputs.length + index] as tf.Tensor).data())[0] as number;
          runner.onLosses(terms, batch.imageShape[0]);
        }
        tf.dispose(computed);
        return values;
      } finally {
        tf.dispose(Object.values(inputs));
        for (const update of ctx.bufferUpdates.values()) update.dispose();
        ctx.bufferUpdates.clear();
      }
    },
    dispose() {
      tf.dispose(Object.values(params));
    },
  };
  return runner;
}

/** Creates `count` zero images shaped like the model's image input, to run text prompts alone. */
export function blankImages(model: CompiledModel, count: number): Pick<Batch, 'images' | 'imageShape'> {
  const image = model.MODEL.inputs.find((input) => input.role === 'image');
  const dims = (image?.type.axes ?? []).slice(1).map((axis) => (typeof axis.size === 'number' ? axis.size : 1));
  const [channels = 1, height = 1, width = 1] = dims;
  return { images: new Float32Array(count * channels * height * width), imageShape: [count, channels, height, width] };
}
