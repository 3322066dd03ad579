// Optimizers over tf.Variables with PyTorch's update rules: Adam (L2 decay added to the
// gradient), AdamW (decoupled decay, p ← p − lr·wd·p before the Adam step) and SGD with
// momentum. Weight decay applies only to parameters whose role is 'weight' and whose rank is
// at least 2, so biases, norm scales and scalars such as a logit scale are never decayed.
import * as tf from '@tensorflow/tfjs-core';

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

export class Optimizer {
  private step = 0;
  /** Slot tensors by `<slot>/<param name>`: `m/…` and `v/…` for Adam, `momentum/…` for SGD. */
  private readonly slots = new Map<string, tf.Variable>();

  constructor(readonly options: OptimizerOptions, private readonly params: OptimizedParam[]) {
    for (const param of params) {
      for (const slot of this.slotNames()) {
        this.slots.set(`${slot}/${param.name}`, tf.variable(tf.zerosLike(param.variable), false));
      }
    }
  }

  get stepCount(): number {
    return this.step;
  }

  private slotNames(): string[] {
    if (this.options.kind === 'sgd') return (this.options.momentum ?? 0) > 0 ? ['momentum'] : [];
    return ['m', 'v'];
  }

  /** Applies one update with learning rate `lr`; `grads` are keyed by parameter name. */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    this.step += 1;
    const { kind, eps = 1e-8, weightDecay = 0, momentum = 0 } = this.options;
    const [beta1, beta2] = this.options.betas ?? [0.9, 0.999];
    const t = this.step;
    tf.tidy(() => {
      for (const param of this.params) {
        const grad = grads.get(param.name);
        if (grad === undefined) continue;
        const p = param.variable;
        const decay = param.decay ? weightDecay : 0;
        if (kind === 'sgd') {
          let g: tf.Tensor = decay > 0 ? tf.add(grad, tf.mul(p, decay)) : grad;
          if (momentum > 0) {
            const buf = this.slots.get(`momentum/${param.name}`)!;
            // PyTorch's first step copies the gradient into the buffer.
            const next = t === 1 ? g : tf.add(tf.mul(buf, momentum), g);
            buf.assign(next);
            g = next;
          }
          p.assign(tf.sub(p, tf.mul(g, lr)));
          continue;
        }
        let g: tf.Tensor = grad;
        if (kind === 'adam' && decay > 0) g = tf.add(g, tf.mul(p, decay));
        const m = this.slots.get(`m/${param.name}`)!;
        const v = this.slots.get(`v/${param.name}`)!;
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2)));
        const stepSize = lr / (1 - beta1 ** t);
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - beta2 ** t)), eps);
        let base: tf.Tensor = p;
        if (kind === 'adamw' && decay > 0) base = tf.mul(p, 1 - lr * decay);
        p.assign(tf.sub(base, tf.mul(tf.div(m, denom), stepSize)));
      }
    });
  }

  /** Copies the state out (for a checkpoint). */
  async saveState(): Promise<OptimizerState> {
    const slots = new Map<string, Float32Array>();
    for (const [name, variable] of this.slots) slots.set(name, (await variable.data()) as Float32Array);
    return { step: this.step, slots };
  }

  /** Restores state written by `saveState`; throws naming a missing or mis-shaped slot. */
  loadState(state: OptimizerState): void {
    for (const [name, variable] of this.slots) {
      const values = state.slots.get(name);
      if (values === undefined) throw new Error(`The optimizer state has no slot '${name}'.`);
      if (values.length !== variable.size) throw new Error(`Optimizer slot '${name}' has ${values.length} values; expected ${variable.size}.`);
      variable.assign(tf.tensor(values, variable.shape));
    }
    this.step = state.step;
  }

  dispose(): void {
    for (const variable of this.slots.values()) variable.dispose();
    this.slots.clear();
  }
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
