// The training loop over a compiled model. Each step binds batches to graph inputs by role,
// computes the weighted loss and its gradients, clips and accumulates them, and steps the
// optimizer. It then applies clamps and batch-norm buffer updates and writes metrics and
// checkpoints. A non-finite loss term stops training with a diagnostic. The loop prints
// nothing; progress goes to `hooks`.
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Diagnostic } from '../diagnostics/types.js';
import type { LossWeight } from '../ir/types.js';
import { selectBackend, type BackendName, type BackendReport } from './backend.js';
import { ensureCheckpointDir, loadLatestCheckpoint, resumeRemedy, saveCheckpoint, type CheckpointWriter, type RetentionPolicy } from './checkpoint.js';
import type { Batch, DataSource } from './data.js';
import { TrainingError, trainingWarning } from './errors.js';
import { createKernelContext } from './kernels/index.js';
import { installWasmOverrides } from './kernels/wasm-overrides.js';
import { checkWasmMemory, wasmMemoryError } from './memory.js';
import { MetricsWriter, type StepMetrics } from './metrics.js';
import { bindSizes, type CompiledModel } from './model.js';
import { clipByGlobalNorm, Optimizer, type OptimizerOptions } from './optim.js';
import { mixSeed } from './rng.js';
import { learningRate, lossWeight, type LrSchedule } from './schedule.js';

export interface CheckpointOptions extends Partial<RetentionPolicy> {
  dir: string;
  /** Save every this many steps (and after the last step). */
  every: number;
  writer?: CheckpointWriter;
}

/** Evaluation of the current weights during training, for example on a validation split. */
export interface TrainEvaluation {
  /** Evaluate after every this many steps, after the last step, and before each checkpoint. */
  every: number;
  /**
   * Evaluates `weights` after `step` optimizer steps. `metrics` go into the checkpoint's state,
   * where a "keep best" policy ranks them by name; `rows` are appended to the metrics file.
   */
  run(step: number, weights: Map<string, Float32Array>): Promise<{ metrics: Record<string, number>; rows: ({ step: number } & Record<string, unknown>)[] }>;
}

export interface TrainOptions {
  steps: number;
  seed: number;
  optimizer: OptimizerOptions;
  schedule?: LrSchedule;
  /** Clip gradients to this global L2 norm. */
  clipGradNorm?: number;
  /**
   * Micro-batches per optimizer step. Losses that mix rows (InfoNCE) are computed on the whole
   * accumulated batch when the model has a split, else within each micro-batch (TIER6012).
   */
  accumulate?: number;
  checkpoint?: CheckpointOptions;
  /** Continue from the newest checkpoint in `checkpoint.dir`. */
  resume?: boolean;
  metricsFile?: string;
  evaluation?: TrainEvaluation;
  /** Force a backend; by default the fastest available one is chosen. */
  backend?: BackendName;
  /** Threads of the wasm backend (see `withNodeWasmThreads`); default 1. */
  wasmThreads?: number;
  /**
   * Starting values by parameter name (from `initializeParams` or pretrained files); missing ones
   * are an error. A function is called after the wasm memory check, so a model too large for the
   * wasm heap is rejected before its weights are allocated.
   */
  initialWeights: Map<string, Float32Array> | (() => Map<string, Float32Array>);
  /** Examples in one micro-batch, for the wasm memory check's activation estimate; default 1. */
  batchSize?: number;
}

export interface TrainHooks {
  onStart?(info: { backend: BackendReport; startStep: number; totalSteps: number; params: number }): void;
  onStep?(metrics: StepMetrics): void;
  /** Called after each checkpoint with its folder, its step and the seconds the write took. */
  onCheckpoint?(path: string, step: number, seconds: number): void;
  /** Called after each evaluation with its metrics and its duration in seconds. */
  onEvaluation?(step: number, metrics: Record<string, number>, seconds: number): void;
  onDiagnostic?(diagnostic: Diagnostic): void;
}

export interface TrainResult {
  steps: number;
  /** Loss terms and total of the last step. */
  last?: StepMetrics;
  weights: Map<string, Float32Array>;
  backend: BackendName;
}

/** Trains `model` on `data`; throws TrainingError for problems the user can fix. */
export async function trainCompiled(model: CompiledModel, options: TrainOptions, data: DataSource, hooks: TrainHooks = {}): Promise<TrainResult> {
  validateOptions(options);
  const info = model.MODEL;
  let report: BackendReport;
  try {
    report = await selectBackend({ ...(options.backend ? { force: options.backend } : {}), ...(options.wasmThreads ? { wasmThreads: options.wasmThreads } : {}) });
  } catch (error) {
    throw new TrainingError('TIER6014', (error as Error).message);
  }
  if (report.chosen === 'wasm') installWasmOverrides();
  if (info.generalConvs.length > 0) {
    const conv = info.generalConvs[0]!;
    throw new TrainingError('TIER6001', `The tfjs backend cannot compute the grouped convolution '${conv.node}'; freeze '${conv.weight}' or use groups: 1.`, conv.span);
  }
  const accumulate = options.accumulate ?? 1;
  if (accumulate > 1 && model.split === undefined && info.losses.length > 0) {
    // Without a split the micro-batch gradients are averaged, so a loss that mixes rows
    // (InfoNCE) is computed over the negatives inside each micro-batch only.
    hooks.onDiagnostic?.(trainingWarning('TIER6012', `Gradient accumulation over ${accumulate} micro-batches computes contrastive losses within each micro-batch, so negatives come from ${accumulate}× smaller batches.`));
  }

  if (report.chosen === 'wasm') checkWasmMemory(info, options.optimizer, options.batchSize);
  const initialWeights = typeof options.initialWeights === 'function' ? options.initialWeights() : options.initialWeights;

  // A wasm fault from a full heap (while allocating, or at `step`) becomes TIER6021.
  let step = -1;
  try {
    return await trainSteps(model, options, data, hooks, report, initialWeights, (at) => (step = at));
  } catch (error) {
    throw (report.chosen === 'wasm' ? wasmMemoryError(error, info, step) : undefined) ?? error;
  }
}

/** Allocates the variables and runs the steps; `onStep` receives each step index before it runs. */
async function trainSteps(
  model: CompiledModel, options: TrainOptions, data: DataSource, hooks: TrainHooks, report: BackendReport,
  initialWeights: Map<string, Float32Array>, onStep: (step: number) => void,
): Promise<TrainResult> {
  const info = model.MODEL;
  const accumulate = options.accumulate ?? 1;
  const variables = new Map<string, tf.Variable>();
  const shapes = new Map<string, number[]>();
  for (const param of info.params) {
    const values = initialWeights.get(param.name);
    if (values === undefined) throw new TrainingError('TIER6007', `No initial value was given for parameter '${param.name}'.`, param.span);
    const dtype = param.dtype === 'i32' ? 'int32' : 'float32';
    const initial = tf.tensor(values, param.shape, dtype);
    variables.set(param.name, tf.variable(initial, param.trainable && param.role !== 'buffer'));
    initial.dispose();
    shapes.set(param.name, param.shape);
  }
  const trainable = info.params.filter((p) => p.trainable && p.role !== 'buffer');
  const optimizer = new Optimizer(options.optimizer, trainable.map((p) => ({
    name: p.name, variable: variables.get(p.name)!, decay: p.role === 'weight' && p.shape.length >= 2,
  })));

  let startStep = 0;
  if (options.resume) {
    if (!options.checkpoint) throw new TrainingError('TIER6013', 'Resuming needs a checkpoint directory.');
    const checkpoint = loadLatestCheckpoint(options.checkpoint.dir, info.specHash, hooks.onDiagnostic);
    const remedy = resumeRemedy(options.checkpoint.dir);
    for (const [name, variable] of variables) {
      const values = checkpoint.weights.get(name);
      if (values === undefined || values.length !== variable.size) {
        throw new TrainingError('TIER6006', `The checkpoint file '${join(checkpoint.path, 'model.safetensors')}' has no valid tensor '${name}'; ${remedy}.`);
      }
      variable.assign(tf.tensor(values, variable.shape, variable.dtype));
    }
    try {
      optimizer.loadState({ step: checkpoint.state.optimizerStep, slots: checkpoint.optimizer });
    } catch (error) {
      throw new TrainingError('TIER6006', `The checkpoint file '${join(checkpoint.path, 'optimizer.safetensors')}' does not fit this model's optimizer (${(error as Error).message.replace(/\.$/, '')}); ${remedy}.`);
    }
    data.seek(checkpoint.state.dataCursor);
    startStep = checkpoint.state.step;
  }
  if (options.checkpoint) ensureCheckpointDir(options.checkpoint.dir);

  const metrics = options.metricsFile ? new MetricsWriter(options.metricsFile, startStep) : undefined;
  const paramCount = trainable.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  hooks.onStart?.({ backend: report, startStep, totalSteps: options.steps, params: paramCount });

  const ctx = createKernelContext({ training: true, embeddingForm: report.chosen === 'wasm' ? 'scatter' : 'gather' });
  // A term weighted by the constant 0 adds nothing to the loss or the gradients, so it is not
  // computed: `forwardTraining`, and the `split` that accumulation uses, run only what the
  // other terms need.
  const skipped = info.losses.map((loss) => model.forwardTraining !== undefined && isConstantZero(loss.weight));
  const computed = info.losses.map((_, i) => i).filter((i) => !skipped[i]);
  const paramTensors: Record<string, tf.Tensor> = Object.fromEntries(variables);
  const varList = trainable.map((p) => variables.get(p.name)!);
  let last: StepMetrics | undefined;
  let warnedSingle = false;
  let failed = false;

  try {
    for (let step = startStep; step < options.steps; step++) {
      onStep(step);
      const started = performance.now();
      const batches: Batch[] = [];
      for (let i = 0; i < accumulate; i++) {
        const batch = await data.next();
        if (batch === undefined) throw new TrainingError('TIER6016', `The data source ended at step ${step}; it must supply ${options.steps * accumulate} batches or wrap around.`);
        batches.push(batch);
      }
      const dataWait = performance.now() - started;
      if (!warnedSingle && batches.some((b) => b.imageShape[0] === 1)) {
        warnedSingle = true;
        hooks.onDiagnostic?.(trainingWarning('TIER6010', 'A batch has one example, so the contrastive loss has no negatives and is 0.'));
      }
      const weights = info.losses.map((l) => lossWeight(l.weight, step));
      let termSums = new Array<number>(info.losses.length).fill(0);
      let grads = new Map<string, tf.Tensor>();
      if (batches.length > 1 && model.split) {
        ({ termSums, grads } = await gradCacheStep(model, ctx, paramTensors, varList, variables, batches, weights, skipped, mixSeed(options.seed, step)));
      }
      for (let micro = 0; micro < batches.length && !(batches.length > 1 && model.split); micro++) {
        ctx.dropoutSeed = mixSeed(options.seed, step, micro);
        ctx.dropoutCalls = 0;
        const kept: tf.Tensor[] = [];
        const inputs = bindInputs(info.inputs, batches[micro]!);
        bindSizes(ctx, info, inputs);
        const { value: weightedTotal, grads: microGrads } = tf.variableGrads(() => {
          const losses = model.forwardTraining ? model.forwardTraining(ctx, paramTensors, inputs) : model.forward(ctx, paramTensors, inputs).losses;
          let total: tf.Tensor = tf.scalar(0);
          info.losses.forEach((loss, i) => {
            if (skipped[i]) return;
            const term = losses[loss.name]!;
            kept.push(tf.keep(term));
            total = tf.add(total, tf.mul(term, weights[i]! / accumulate));
          });
          return total as tf.Scalar;
        }, varList);
        weightedTotal.dispose();
        tf.dispose(Object.values(inputs));
        const values = await Promise.all(kept.map((t) => t.data()));
        tf.dispose(kept);
        computed.forEach((index, i) => (termSums[index]! += values[i]![0]! / accumulate));
        for (const [name, grad] of Object.entries(microGrads)) {
          const key = varNameToParam(name, variables);
          const previous = grads.get(key);
          if (previous) {
            grads.set(key, tf.add(previous, grad));
            previous.dispose();
            grad.dispose();
          } else grads.set(key, grad);
        }
      }
      const bad = termSums.findIndex((v, i) => !skipped[i] && !Number.isFinite(v));
      if (bad >= 0) {
        tf.dispose([...grads.values()]);
        const loss = info.losses[bad]!;
        const where = loss.span ? ` (${loss.span.file}:${loss.span.start.line})` : '';
        throw new TrainingError('TIER6002', `Loss term '${loss.name}'${where} is ${termSums[bad]} at step ${step}; training stopped and the last checkpoint is kept.`, loss.span);
      }
      const gradNorm = options.clipGradNorm !== undefined ? clipByGlobalNorm(grads, options.clipGradNorm) : undefined;
      const lr = learningRate(options.optimizer.lr, options.schedule ?? { kind: 'constant' }, step, options.steps);
      optimizer.apply(grads, lr);
      tf.dispose([...grads.values()]);
      applyBufferUpdates(ctx.bufferUpdates, variables);
      applyClamps(info.clamps, info.params, variables);

      const elapsed = (performance.now() - started) / 1000;
      const samples = batches.reduce((n, b) => n + b.imageShape[0], 0);
      const terms: Record<string, number> = {};
      info.losses.forEach((l, i) => {
        if (!skipped[i]) terms[l.name] = termSums[i]!;
      });
      last = {
        step: step + 1, loss: termSums.reduce((sum, v, i) => (skipped[i] ? sum : sum + v * weights[i]!), 0), terms, lr,
        samplesPerSecond: samples / elapsed, dataWaitFraction: dataWait / 1000 / elapsed, seconds: elapsed,
      };
      const clampParam = info.clamps[0] ? info.params[info.clamps[0].param] : undefined;
      if (clampParam) last.logitScale = (await variables.get(clampParam.name)!.data())[0]!;
      if (gradNorm !== undefined) last.gradNorm = gradNorm;
      metrics?.write(last);
      hooks.onStep?.(last);

      const checkpoint = options.checkpoint;
      const lastStep = step + 1 === options.steps;
      const checkpointDue = checkpoint !== undefined && ((step + 1) % checkpoint.every === 0 || lastStep);
      const evaluation = options.evaluation;
      const evaluationDue = evaluation !== undefined && ((step + 1) % evaluation.every === 0 || lastStep || checkpointDue);
      const weightsNow = checkpointDue || evaluationDue ? await readVariables(variables) : undefined;
      let evalMetrics: Record<string, number> = {};
      if (evaluationDue) {
        const evalStarted = performance.now();
        const evaluated = await evaluation.run(step + 1, weightsNow!);
        for (const row of evaluated.rows) metrics?.writeRow(row);
        evalMetrics = evaluated.metrics;
        hooks.onEvaluation?.(step + 1, evalMetrics, (performance.now() - evalStarted) / 1000);
      }
      if (checkpointDue) {
        const writeStarted = performance.now();
        const optState = await optimizer.saveState();
        const path = saveCheckpoint(checkpoint.dir, {
          step: step + 1, seed: options.seed, dataCursor: data.cursor(), specHash: info.specHash, specFile: info.specFile,
          tiercVersion: info.tiercVersion, optimizerStep: optState.step, metrics: { loss: last.loss, ...terms, ...evalMetrics },
        }, weightsNow!, optState.slots, { keepLast: checkpoint.keepLast ?? 3, keepBest: checkpoint.keepBest ?? 0, ...(checkpoint.metric ? { metric: checkpoint.metric } : {}), mode: checkpoint.mode ?? 'min' }, checkpoint.writer, shapes);
        hooks.onCheckpoint?.(path, step + 1, (performance.now() - writeStarted) / 1000);
      }
    }
    return { steps: options.steps, ...(last ? { last } : {}), weights: await readVariables(variables), backend: report.chosen };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    metrics?.close();
    try {
      optimizer.dispose();
      for (const t of ctx.bufferUpdates.values()) t.dispose();
      for (const variable of variables.values()) variable.dispose();
    } catch (error) {
      // After a wasm fault the backend's memory is unusable and freeing tensors faults again;
      // the step's own error is the one to report.
      if (!failed) throw error;
    }
  }
}

/**
 * Computes one optimizer step's losses and gradients over several micro-batches with exact
 * full-batch losses (the GradCache method). First the cut values of each micro-batch are
 * computed without a tape. Then the losses are computed on the concatenated cut, with
 * gradients for the cut and the loss-side parameters. Last, each micro-batch's cut is
 * recomputed with a tape and its slice of the cut gradient is backpropagated. Memory grows
 * with one micro-batch of activations plus the cut of the whole batch. Terms marked in
 * `skipped` are not read, and their sums stay 0.
 */
async function gradCacheStep(
  model: CompiledModel, ctx: ReturnType<typeof createKernelContext>, params: Record<string, tf.Tensor>, varList: tf.Variable[],
  variables: Map<string, tf.Variable>, batches: Batch[], weights: number[], skipped: boolean[], seed: number,
): Promise<{ termSums: number[]; grads: Map<string, tf.Tensor> }> {
  const info = model.MODEL;
  const split = model.split!;
  const inputsList = batches.map((batch) => bindInputs(info.inputs, batch));
  const rowsOf = (micro: number) => {
    ctx.dropoutSeed = mixSeed(seed, micro);
    ctx.dropoutCalls = 0;
    bindSizes(ctx, info, inputsList[micro]!);
    return split.rows(ctx, params, inputsList[micro]!);
  };

  const cuts = inputsList.map((_, micro) => tf.tidy(() => rowsOf(micro)));
  const cutValues: Record<string, tf.Variable> = {};
  for (const entry of split.cut) {
    const joined = tf.concat(cuts.map((cut) => cut[entry]!), 0);
    cutValues[entry] = tf.variable(joined, joined.dtype === 'float32');
    joined.dispose();
  }
  for (const cut of cuts) tf.dispose(Object.entries(cut).filter(([entry]) => !entry.startsWith('input:')).map(([, t]) => t));
  const fullInputs: Record<string, tf.Tensor> = {};
  for (const input of info.inputs) fullInputs[input.name] = cutValues[`input:${input.name}`] ?? inputsList[0]![input.name]!;

  const floatCut = Object.values(cutValues).filter((v) => v.trainable);
  ctx.dropoutSeed = mixSeed(seed, batches.length);
  ctx.dropoutCalls = 0;
  bindSizes(ctx, info, fullInputs);
  const kept: tf.Tensor[] = [];
  const computed: number[] = [];
  const lossPass = tf.variableGrads(() => {
    const losses = split.loss(ctx, params, cutValues);
    let total: tf.Tensor = tf.scalar(0);
    info.losses.forEach((loss, i) => {
      if (skipped[i]) return;
      const term = losses[loss.name]!;
      kept.push(tf.keep(term));
      computed.push(i);
      total = tf.add(total, tf.mul(term, weights[i]!));
    });
    return total as tf.Scalar;
  }, [...varList, ...floatCut]);
  lossPass.value.dispose();
  const termSums = new Array<number>(info.losses.length).fill(0);
  const values = await Promise.all(kept.map((t) => t.data()));
  computed.forEach((index, i) => (termSums[index] = values[i]![0]!));
  tf.dispose(kept);

  const grads = new Map<string, tf.Tensor>();
  const add = (name: string, grad: tf.Tensor) => {
    const key = varNameToParam(name, variables);
    const previous = grads.get(key);
    if (previous) {
      grads.set(key, tf.add(previous, grad));
      previous.dispose();
      grad.dispose();
    } else grads.set(key, grad);
  };
  const cutGrads = new Map<string, tf.Tensor>();
  for (const [name, grad] of Object.entries(lossPass.grads)) {
    const entry = Object.entries(cutValues).find(([, v]) => v.name === name)?.[0];
    if (entry !== undefined) cutGrads.set(entry, grad);
    else add(name, grad);
  }

  let offset = 0;
  for (let micro = 0; micro < batches.length; micro++) {
    const rows = batches[micro]!.imageShape[0];
    const pieces = new Map<string, tf.Tensor>();
    for (const [entry, grad] of cutGrads) pieces.set(entry, tf.slice(grad, offset, rows));
    offset += rows;
    if (varList.length > 0 && pieces.size > 0) {
      const rowPass = tf.variableGrads(() => {
        const cut = rowsOf(micro);
        let surrogate: tf.Tensor = tf.scalar(0);
        for (const [entry, piece] of pieces) surrogate = tf.add(surrogate, tf.sum(tf.mul(cut[entry]!, piece)));
        return surrogate as tf.Scalar;
      }, varList);
      rowPass.value.dispose();
      for (const [name, grad] of Object.entries(rowPass.grads)) add(name, grad);
    }
    tf.dispose([...pieces.values()]);
  }
  tf.dispose([...cutGrads.values()]);
  for (const variable of Object.values(cutValues)) variable.dispose();
  for (const inputs of inputsList) tf.dispose(Object.values(inputs));
  return { termSums, grads };
}

function validateOptions(options: TrainOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(options.steps) || options.steps < 0) problems.push(`'steps' must be a non-negative integer, got ${options.steps}`);
  if (!(options.optimizer.lr >= 0)) problems.push(`'lr' must be a non-negative number, got ${options.optimizer.lr}`);
  if (options.accumulate !== undefined && (!Number.isInteger(options.accumulate) || options.accumulate < 1)) problems.push(`'accumulate' must be a positive integer, got ${options.accumulate}`);
  if (options.checkpoint && (!Number.isInteger(options.checkpoint.every) || options.checkpoint.every < 1)) problems.push(`'checkpoint.every' must be a positive integer, got ${options.checkpoint.every}`);
  if (options.evaluation && (!Number.isInteger(options.evaluation.every) || options.evaluation.every < 1)) problems.push(`'evaluation.every' must be a positive integer, got ${options.evaluation.every}`);
  if (options.clipGradNorm !== undefined && !(options.clipGradNorm > 0)) problems.push(`'clipGradNorm' must be positive, got ${options.clipGradNorm}`);
  if (problems.length > 0) throw new TrainingError('TIER6013', `Invalid training options: ${problems.join('; ')}.`);
}

function isConstantZero(weight: LossWeight): boolean {
  return weight.kind === 'constant' && weight.value === 0;
}

function varNameToParam(variableName: string, variables: Map<string, tf.Variable>): string {
  // tfjs names variables itself; the map is small, so a scan per gradient is cheap.
  for (const [name, variable] of variables) if (variable.name === variableName) return name;
  throw new Error(`Gradient for unknown variable '${variableName}'.`);
}

/** Graph inputs from a batch, by input role. */
export function bindInputs(inputs: CompiledModel['MODEL']['inputs'], batch: Batch): Record<string, tf.Tensor> {
  const bound: Record<string, tf.Tensor> = {};
  const [b, t] = batch.tokenShape;
  for (const input of inputs) {
    switch (input.role) {
      case 'image': bound[input.name] = tf.tensor(batch.images, batch.imageShape, 'float32'); break;
      case 'token_ids': bound[input.name] = tf.tensor(batch.tokenIds, [b, t], 'int32'); break;
      case 'attention_mask': {
        if (!batch.attentionMask) throw new TrainingError('TIER6016', `Input '${input.name}' needs an attention mask, which the batch lacks.`);
        checkMaskRows(batch.attentionMask, b, t, input.name);
        bound[input.name] = tf.tensor(batch.attentionMask, [b, t], 'float32');
        break;
      }
      case 'pool_index': {
        if (!batch.eotIndex) throw new TrainingError('TIER6016', `Input '${input.name}' needs end-of-text positions, which the batch lacks.`);
        bound[input.name] = tf.tensor(batch.eotIndex, [b], 'int32');
        break;
      }
      case 'scalar': throw new TrainingError('TIER6016', `Scalar input '${input.name}' has no value in a data batch.`);
    }
  }
  return bound;
}

/** A row with no real token would make every masked softmax over it undefined. */
function checkMaskRows(mask: Float32Array, rows: number, tokens: number, name: string): void {
  for (let row = 0; row < rows; row++) {
    let any = false;
    for (let j = 0; j < tokens && !any; j++) any = mask[row * tokens + j]! > 0;
    if (!any) throw new TrainingError('TIER6011', `Row ${row} of input '${name}' masks every position; each caption needs at least one real token.`);
  }
}

function applyBufferUpdates(updates: Map<string, tf.Tensor>, variables: Map<string, tf.Variable>): void {
  for (const [name, value] of updates) {
    variables.get(name)?.assign(value);
    value.dispose();
  }
  updates.clear();
}

function applyClamps(clamps: CompiledModel['MODEL']['clamps'], params: CompiledModel['MODEL']['params'], variables: Map<string, tf.Variable>): void {
  for (const clamp of clamps) {
    const variable = variables.get(params[clamp.param]!.name)!;
    tf.tidy(() => {
      let value: tf.Tensor = variable;
      if (clamp.min !== undefined) value = tf.maximum(value, clamp.min);
      if (clamp.max !== undefined) value = tf.minimum(value, clamp.max);
      variable.assign(value);
    });
  }
}

async function readVariables(variables: Map<string, tf.Variable>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, variable] of variables) out.set(name, Float32Array.from(await variable.data()));
  return out;
}
