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
  const random = createGenerator(mixSeed(seed, hashName(param.name)));
  const draw = sampler(param.init, param.shape, random);
  for (let i = 0; i < size; i++) values[i] = draw();
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

interface Generator {
  uniform(): number;
  normal(): number;
}

function sampler(init: Initializer, shape: readonly number[], random: Generator): () => number {
  switch (init.kind) {
    case 'zeros':
      return () => 0;
    case 'ones':
      return () => 1;
    case 'constant':
      return () => init.value;
    case 'uniform':
      return () => init.low + (init.high - init.low) * random.uniform();
    case 'normal': {
      const { mean, std, truncate } = init;
      if (truncate === undefined) return () => mean + std * random.normal();
      return () => {
        // Redraw until the sample lies within truncate standard deviations of the mean.
        for (;;) {
          const z = random.normal();
          if (Math.abs(z) <= truncate) return mean + std * z;
        }
      };
    }
    case 'kaiming_normal': {
      const { fanIn, fanOut } = fans(shape);
      const std = init.gain / Math.sqrt(init.fan === 'in' ? fanIn : fanOut);
      return () => std * random.normal();
    }
    case 'xavier_uniform': {
      const { fanIn, fanOut } = fans(shape);
      const bound = Math.sqrt(6 / (fanIn + fanOut));
      return () => bound * (2 * random.uniform() - 1);
    }
    case 'torch_default': {
      // kaiming_uniform(a = √5) for weights has bound gain·√(3/fan_in) with gain = √(2/(1+5)),
      // which equals 1/√fan_in: the same bound PyTorch uses for biases.
      const bound = 1 / Math.sqrt(init.fanIn);
      return () => bound * (2 * random.uniform() - 1);
    }
  }
}

/** xoshiro128** seeded through splitmix32, with Box–Muller normals. */
function createGenerator(seed: number): Generator {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const state = [splitmix(), splitmix(), splitmix(), splitmix()];
  const next32 = (): number => {
    const result = Math.imul(rotl(Math.imul(state[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (state[1]! << 9) >>> 0;
    state[2] = (state[2]! ^ state[0]!) >>> 0;
    state[3] = (state[3]! ^ state[1]!) >>> 0;
    state[1] = (state[1]! ^ state[2]!) >>> 0;
    state[0] = (state[0]! ^ state[3]!) >>> 0;
    state[2] = (state[2]! ^ t) >>> 0;
    state[3] = rotl(state[3]!, 11);
    return result;
  };
  // 53-bit uniform in [0, 1) from two 32-bit draws.
  const uniform = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  let spare: number | undefined;
  const normal = (): number => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  return { uniform, normal };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
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
