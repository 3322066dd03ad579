// Seeded initialization of a module's parameters from each `Param.init`, with the
// distributions PyTorch uses (the same families and bounds, not PyTorch's random streams).
// Every parameter draws from its own generator, seeded by the run seed and the parameter's
// name, so adding or reordering parameters leaves the others' values unchanged. Values are
// float32, and the tfjs and ONNX backends start from the same weights.
import type { Initializer, IrModule, Param } from './types.js';

/** Returns one float32 array per parameter, keyed by parameter name. Identical for the same module and seed. */
export function initializeParams(module: IrModule, seed: number): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  for (const param of module.params) {
    if (weights.has(param.name)) continue;
    weights.set(param.name, initializeParam(param, seed));
  }
  return weights;
}

export function initializeParam(param: Param, seed: number): Float32Array {
  const size = param.shape.reduce((n, dim) => n * dim, 1);
  const values = new Float32Array(size);
  fillParam(values, param.init, param.shape, new Xoshiro128(mixSeed(seed, hashName(param.name))));
  return values;
}

/** fan_in and fan_out as PyTorch computes them: dims 1 and 0, each times the product of the trailing (kernel) dims. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    const size = shape[0] ?? 1;
    return { fanIn: size, fanOut: size };
  }
  const receptive = shape.slice(2).reduce((n, dim) => n * dim, 1);
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

/**
 * Fills `values` from the initializer's distribution. Each kind has its own loop over the
 * whole array, so no closure is called per element. Each value is computed in float64 by the
 * same expression as a single draw, then rounded to float32 on store.
 */
function fillParam(values: Float32Array, init: Initializer, shape: readonly number[], random: Xoshiro128): void {
  switch (init.kind) {
    case 'zeros':
      return;
    case 'ones':
      values.fill(1);
      return;
    case 'constant':
      values.fill(init.value);
      return;
    case 'uniform':
      random.fillUniform(values, init.low, init.high - init.low);
      return;
    case 'normal':
      if (init.truncate === undefined) random.fillNormal(values, init.mean, init.std);
      else random.fillTruncatedNormal(values, init.mean, init.std, init.truncate);
      return;
    case 'kaiming_normal': {
      const { fanIn, fanOut } = fans(shape);
      random.fillNormal(values, 0, init.gain / Math.sqrt(init.fan === 'in' ? fanIn : fanOut));
      return;
    }
    case 'xavier_uniform': {
      const { fanIn, fanOut } = fans(shape);
      random.fillSymmetric(values, Math.sqrt(6 / (fanIn + fanOut)));
      return;
    }
    case 'torch_default':
      // kaiming_uniform(a = √5) for weights has bound gain·√(3/fan_in) with gain = √(2/(1+5)),
      // which equals 1/√fan_in: the same bound PyTorch uses for biases.
      random.fillSymmetric(values, 1 / Math.sqrt(init.fanIn));
      return;
  }
}

/**
 * xoshiro128** seeded through splitmix32. Uniforms take 53 bits from two 32-bit draws, and
 * normals come from Box–Muller in pairs (cosine first, then the sine).
 */
class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix() | 0;
    this.s1 = splitmix() | 0;
    this.s2 = splitmix() | 0;
    this.s3 = splitmix() | 0;
  }

  /** Advances the state (kept as int32) and returns the next 32-bit output as an unsigned integer. */
  next32(): number {
    const s1 = this.s1;
    const rotated = Math.imul(s1, 5);
    const result = Math.imul((rotated << 7) | (rotated >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** Draws a uniform number in [0, 1) with 53 random bits. */
  uniform(): number {
    return ((this.next32() >>> 5) * 67108864 + (this.next32() >>> 6)) / 9007199254740992;
  }

  normal(): number {
    const spare = this.spare;
    if (spare !== undefined) {
      this.spare = undefined;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Fills with low + scale · u. */
  fillUniform(values: Float32Array, low: number, scale: number): void {
    for (let i = 0; i < values.length; i++) values[i] = low + scale * this.uniform();
  }

  /** Fills with bound · (2u − 1), uniform on [−bound, bound). */
  fillSymmetric(values: Float32Array, bound: number): void {
    for (let i = 0; i < values.length; i++) values[i] = bound * (2 * this.uniform() - 1);
  }

  /** Fills with mean + std · z, using both normals of each Box–Muller pair in one step. */
  fillNormal(values: Float32Array, mean: number, std: number): void {
    let i = 0;
    if (this.spare !== undefined && values.length > 0) values[i++] = mean + std * this.normal();
    for (; i + 1 < values.length; i += 2) {
      const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
      const angle = 2 * Math.PI * this.uniform();
      values[i] = mean + std * (radius * Math.cos(angle));
      values[i + 1] = mean + std * (radius * Math.sin(angle));
    }
    if (i < values.length) values[i] = mean + std * this.normal();
  }

  /** Fills with normal samples, redrawing each until it lies within `truncate` standard deviations of the mean. */
  fillTruncatedNormal(values: Float32Array, mean: number, std: number, truncate: number): void {
    for (let i = 0; i < values.length; i++) {
      let z = this.normal();
      while (Math.abs(z) > truncate) z = this.normal();
      values[i] = mean + std * z;
    }
  }
}

/** FNV-1a hash of a parameter name. */
function hashName(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

function mixSeed(seed: number, salt: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ salt) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
