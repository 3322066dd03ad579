// Optimizers over tf.Variables with PyTorch's update rules: Adam (L2 decay added to the
// gradient), AdamW (decoupled decay, p ← p − lr·wd·p before the Adam step) and SGD with
// momentum. Weight decay applies only to parameters whose role is 'weight' and whose rank is
// at least 2, so biases, norm scales and scalars such as a logit scale are never decayed.
//
// Adam and AdamW keep their moments in one flat tensor per decay group and update each group
// with one chain of whole-group operations, in place of a dozen small kernels per parameter.
// Every element goes through the same float32 operations as a per-parameter update would.
import * as tf from '@tensorflow/tfjs-core';
import { nativeMatmulActive } from './kernels/native-matmul.js';
import { nativeAdam } from './kernels/native-rows.js';

export type OptimizerKind = 'adam' | 'adamw' | 'sgd';

export interface OptimizerOptions {
  kind: OptimizerKind;
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** SGD momentum; 0 is plain SGD. */
  momentum?: number;
}

export interface OptimizedParam {
  name: string;
  variable: tf.Variable;
  decay: boolean;
}

/** Optimizer state as plain arrays, for checkpoints. */
export interface OptimizerState {
  step: number;
  slots: Map<string, Float32Array>;
}

/** Parameters that share a weight-decay setting, with Adam's moments over all of them, flattened. */
interface AdamGroup {
  decay: boolean;
  params: OptimizedParam[];
  sizes: number[];
  m: tf.Variable;
  v: tf.Variable;
}

export class Optimizer {
  private step = 0;
  /** SGD momentum buffers by `momentum/<param name>`. */
  private readonly slots = new Map<string, tf.Variable>();
  /** Adam's moments; saved and loaded as `m/<param name>` and `v/<param name>`. */
  private readonly groups: AdamGroup[] = [];

  constructor(readonly options: OptimizerOptions, private readonly params: OptimizedParam[]) {
    if (options.kind === 'sgd') {
      if ((options.momentum ?? 0) > 0) {
        for (const param of params) this.slots.set(`momentum/${param.name}`, tf.variable(tf.zerosLike(param.variable), false));
      }
      return;
    }
    for (const decay of [true, false]) {
      const members = params.filter((p) => p.decay === decay);
      if (members.length === 0) continue;
      const sizes = members.map((p) => p.variable.size);
      const total = sizes.reduce((a, b) => a + b, 0);
      this.groups.push({ decay, params: members, sizes, m: tf.variable(tf.zeros([total]), false), v: tf.variable(tf.zeros([total]), false) });
    }
  }

  get stepCount(): number {
    return this.step;
  }

  /** Applies one update with learning rate `lr`; `grads` are keyed by parameter name. */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    this.step += 1;
    const { kind, weightDecay = 0, momentum = 0 } = this.options;
    const t = this.step;
    if (kind !== 'sgd') {
      for (const group of this.groups) tf.tidy(() => this.applyAdam(group, grads, lr));
      return;
    }
    tf.tidy(() => {
      for (const param of this.params) {
        const grad = grads.get(param.name);
        if (grad === undefined) continue;
        const p = param.variable;
        const decay = param.decay ? weightDecay : 0;
        let g: tf.Tensor = decay > 0 ? tf.add(grad, tf.mul(p, decay)) : grad;
        if (momentum > 0) {
          const buf = this.slots.get(`momentum/${param.name}`)!;
          // PyTorch's first step copies the gradient into the buffer.
          const next = t === 1 ? g : tf.add(tf.mul(buf, momentum), g);
          buf.assign(next);
          g = next;
        }
        p.assign(tf.sub(p, tf.mul(g, lr)));
      }
    });
  }

  /**
   * Applies one Adam or AdamW step to a group. A parameter without a gradient is left alone,
   * as PyTorch does, so then the moments are split per parameter and joined again.
   */
  private applyAdam(group: AdamGroup, grads: Map<string, tf.Tensor>, lr: number): void {
    const { kind, eps = 1e-8, weightDecay = 0 } = this.options;
    const [beta1, beta2] = this.options.betas ?? [0.9, 0.999];
    const t = this.step;
    const decay = group.decay ? weightDecay : 0;
    const stepSize = lr / (1 - beta1 ** t);
    const native = nativeMatmulActive();
    const update = (p: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor) => {
      if (native) {
        // The same arithmetic in one pass over the four arrays (native/rows.c).
        const [p2, m2, v2] = nativeAdam(p, grad, m, v, {
          beta1, beta2, eps, stepSize, correction2: Math.sqrt(1 - beta2 ** t),
          keep: kind === 'adamw' && decay > 0 ? 1 - lr * decay : 1, l2: kind === 'adam' ? decay : 0,
        });
        return { p: p2, m: m2, v: v2 };
      }
      let g: tf.Tensor = grad;
      if (kind === 'adam' && decay > 0) g = tf.add(g, tf.mul(p, decay));
      const m2 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
      const v2 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
      const denom = tf.add(tf.div(tf.sqrt(v2), Math.sqrt(1 - beta2 ** t)), eps);
      let base: tf.Tensor = p;
      if (kind === 'adamw' && decay > 0) base = tf.mul(p, 1 - lr * decay);
      return { p: tf.sub(base, tf.mul(tf.div(m2, denom), stepSize)), m: m2, v: v2 };
    };
    const flat = (t: tf.Tensor) => tf.reshape(t, [-1]);
    const assignPieces = (values: tf.Tensor) => {
      const pieces = splitFlat(values, group.sizes);
      group.params.forEach((param, i) => param.variable.assign(tf.reshape(pieces[i]!, param.variable.shape)));
    };

    if (group.params.every((param) => grads.has(param.name))) {
      const joined = (tensors: tf.Tensor[]) => (tensors.length === 1 ? flat(tensors[0]!) : tf.concat(tensors.map(flat)));
      const next = update(joined(group.params.map((p) => p.variable)), joined(group.params.map((p) => grads.get(p.name)!)), group.m, group.v);
      group.m.assign(next.m);
      group.v.assign(next.v);
      assignPieces(next.p);
      return;
    }
    const ms = splitFlat(group.m, group.sizes);
    const vs = splitFlat(group.v, group.sizes);
    group.params.forEach((param, i) => {
      const grad = grads.get(param.name);
      if (grad === undefined) return;
      const next = update(flat(param.variable), flat(grad), ms[i]!, vs[i]!);
      ms[i] = next.m;
      vs[i] = next.v;
      param.variable.assign(tf.reshape(next.p, param.variable.shape));
    });
    group.m.assign(ms.length === 1 ? ms[0]! : tf.concat(ms));
    group.v.assign(vs.length === 1 ? vs[0]! : tf.concat(vs));
  }

  /** Copies the state out (for a checkpoint). */
  async saveState(): Promise<OptimizerState> {
    const slots = new Map<string, Float32Array>();
    for (const [name, variable] of this.slots) slots.set(name, (await variable.data()) as Float32Array);
    for (const group of this.groups) {
      for (const [slot, values] of [['m', await group.m.data()], ['v', await group.v.data()]] as const) {
        let offset = 0;
        group.params.forEach((param, i) => {
          slots.set(`${slot}/${param.name}`, Float32Array.from(values.subarray(offset, offset + group.sizes[i]!) as Float32Array));
          offset += group.sizes[i]!;
        });
      }
    }
    return { step: this.step, slots };
  }

  /** Restores state written by `saveState`; throws naming a missing or mis-shaped slot. */
  loadState(state: OptimizerState): void {
    const read = (name: string, size: number): Float32Array => {
      const values = state.slots.get(name);
      if (values === undefined) throw new Error(`The optimizer state has no slot '${name}'.`);
      if (values.length !== size) throw new Error(`Optimizer slot '${name}' has ${values.length} values; expected ${size}.`);
      return values;
    };
    for (const [name, variable] of this.slots) variable.assign(tf.tensor(read(name, variable.size), variable.shape));
    for (const group of this.groups) {
      for (const [slot, variable] of [['m', group.m], ['v', group.v]] as const) {
        const joined = new Float32Array(variable.size);
        let offset = 0;
        group.params.forEach((param, i) => {
          joined.set(read(`${slot}/${param.name}`, group.sizes[i]!), offset);
          offset += group.sizes[i]!;
        });
        tf.tidy(() => variable.assign(tf.tensor1d(joined)));
      }
    }
    this.step = state.step;
  }

  dispose(): void {
    for (const variable of this.slots.values()) variable.dispose();
    this.slots.clear();
    for (const group of this.groups) tf.dispose([group.m, group.v]);
    this.groups.length = 0;
  }
}

/**
 * Cuts a 1-D tensor into consecutive pieces of `sizes`. One Slice per piece, not tf.split:
 * the wasm SplitV kernel (tfjs-backend-wasm 4.22.0) copies the whole input once per piece.
 */
function splitFlat(values: tf.Tensor, sizes: number[]): tf.Tensor[] {
  if (sizes.length === 1) return [values];
  let offset = 0;
  return sizes.map((size) => {
    const piece = tf.slice(values, [offset], [size]);
    offset += size;
    return piece;
  });
}

/** Scales `grads` in place so their global L2 norm is at most `maxNorm`; returns the norm before clipping. */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): number {
  const norm = tf.tidy(() => {
    const squares = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(squares)).dataSync()[0]!;
  });
  if (norm > maxNorm && Number.isFinite(norm)) {
    const factor = maxNorm / (norm + 1e-6);
    for (const [name, grad] of grads) {
      grads.set(name, tf.mul(grad, factor));
      grad.dispose();
    }
  }
  return norm;
}
