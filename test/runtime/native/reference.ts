// Float64 reference of the native addon's strided batched product, and a builder that
// places operands in one Float32Array heap with guard values between them. Unused padding
// of A, B and the bias contains NaN, so a kernel that reads it spoils its output. Padding
// and gaps around C contain GUARD, which must survive every product.
import type { GemmOperand, GemmSpec } from '../../../src/runtime/native.js';
import { createRng } from '../../../src/runtime/rng.js';

export const GUARD = 7777.25;

/** Deterministic uniform values in [-1, 1). */
export function createRandom(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next() * 2 - 1;
}

export interface Placement {
  /** Stores the [rows x cols] matrices transposed (column-major). */
  transposed?: boolean;
  /** Extra elements at the end of every stored row. */
  pad?: number;
  /** One matrix for every batch (batch stride 0). */
  shared?: boolean;
  /** Walks the stored rows backwards (negative row stride). */
  reversed?: boolean;
}

/** Collects operand regions in one heap, separated by guard values. */
export class HeapBuilder {
  readonly values: number[] = [];
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = createRandom(seed);
    this.gap();
  }

  gap(count = 7): void {
    for (let i = 0; i < count; i++) this.values.push(GUARD);
  }

  /**
   * Places `batch` [rows x cols] matrices and returns their operand. Padding contains `fill`;
   * the matrix elements contain `initial`, or random values when it is undefined.
   */
  matrix(batch: number, rows: number, cols: number, placement: Placement, fill: number, initial?: number): GemmOperand {
    const stored = placement.transposed ? [cols, rows] : [rows, cols];
    const lead = stored[1]! + (placement.pad ?? 0);
    const matrixSize = stored[0]! * lead + (placement.pad ?? 0);
    const copies = placement.shared ? 1 : batch;
    const offset = this.values.length;
    for (let i = 0; i < copies * matrixSize; i++) this.values.push(fill);
    let operand: GemmOperand = placement.transposed
      ? { offset, batchStride: placement.shared ? 0 : matrixSize, rowStride: 1, colStride: lead }
      : { offset, batchStride: placement.shared ? 0 : matrixSize, rowStride: lead, colStride: 1 };
    if (placement.reversed) {
      operand = { ...operand, offset: operand.offset + (rows - 1) * operand.rowStride, rowStride: -operand.rowStride };
    }
    for (let b = 0; b < copies; b++) {
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const index = operand.offset + b * operand.batchStride + r * operand.rowStride + c * operand.colStride;
          this.values[index] = initial ?? this.random();
        }
      }
    }
    this.gap();
    return operand;
  }

  /** Places `count` bias values `stride` apart and returns the offset. */
  vector(count: number, stride: number): number {
    const offset = this.values.length;
    for (let i = 0; i < Math.max(0, (count - 1) * stride + 1); i++) this.values.push(Number.NaN);
    for (let j = 0; j < count; j++) this.values[offset + j * stride] = this.random();
    this.gap();
    return offset;
  }

  build(): Float32Array {
    return Float32Array.from(this.values);
  }
}

export interface ProductCase {
  batch: number; m: number; n: number; k: number;
  a?: Placement; b?: Placement; c?: Placement;
  biasStride?: number;
  activation?: 'linear' | 'relu';
  accumulate?: boolean;
  alpha?: number;
}

/** Builds the heap and the spec of one case. C starts random when it accumulates, else GUARD. */
export function buildCase(test: ProductCase, seed: number): { heap: Float32Array; spec: GemmSpec } {
  const builder = new HeapBuilder(seed);
  const a = builder.matrix(test.batch, test.m, test.k, test.a ?? {}, Number.NaN);
  const b = builder.matrix(test.batch, test.k, test.n, test.b ?? {}, Number.NaN);
  const bias = test.biasStride === undefined ? undefined : { offset: builder.vector(test.n, test.biasStride), stride: test.biasStride };
  // Outputs that are written, not accumulated, start as GUARD too, so the check finds every write.
  const c = builder.matrix(test.batch, test.m, test.n, test.c ?? {}, GUARD, test.accumulate === true ? undefined : GUARD);
  const spec: GemmSpec = {
    batch: test.batch, m: test.m, n: test.n, k: test.k, a, b, c, bias,
    activation: test.activation, accumulate: test.accumulate, alpha: test.alpha,
  };
  return { heap: builder.build(), spec };
}

export interface Mismatch { index: number; expected: number; actual: number; tolerance: number }

/**
 * Compares `after` with the product applied to `before` in float64. C elements may differ by
 * a rounding bound that grows with k; every other element must keep its exact bits.
 */
export function findMismatches(spec: GemmSpec, before: Float32Array, after: Float32Array, limit = 5): Mismatch[] {
  const expected = Float64Array.from(before);
  const tolerance = new Float64Array(before.length);
  const written = new Uint8Array(before.length);
  const alpha = spec.alpha ?? 1;
  for (let b = 0; b < spec.batch; b++) {
    for (let i = 0; i < spec.m; i++) {
      for (let j = 0; j < spec.n; j++) {
        let sum = 0;
        let magnitude = 0;
        for (let kk = 0; kk < spec.k; kk++) {
          const x = before[spec.a.offset + b * spec.a.batchStride + i * spec.a.rowStride + kk * spec.a.colStride]!;
          const y = before[spec.b.offset + b * spec.b.batchStride + kk * spec.b.rowStride + j * spec.b.colStride]!;
          sum += x * y;
          magnitude += Math.abs(x * y);
        }
        let v = alpha * sum;
        magnitude = Math.abs(alpha) * magnitude;
        if (spec.bias !== undefined) {
          const bias = before[spec.bias.offset + j * spec.bias.stride]!;
          v += bias;
          magnitude += Math.abs(bias);
        }
        if (spec.activation === 'relu' && v < 0) v = 0;
        const index = spec.c.offset + b * spec.c.batchStride + i * spec.c.rowStride + j * spec.c.colStride;
        if (spec.accumulate === true) {
          magnitude += Math.abs(before[index]!);
          v += before[index]!;
        }
        expected[index] = v;
        written[index] = 1;
        // float32 rounding: about one unit (2^-23) per term of the sum, plus the final steps.
        tolerance[index] = 2 ** -23 * (spec.k + 4) * magnitude;
      }
    }
  }
  const mismatches: Mismatch[] = [];
  const afterBits = new Uint32Array(after.buffer, after.byteOffset, after.length);
  const beforeBits = new Uint32Array(before.buffer, before.byteOffset, before.length);
  for (let index = 0; index < after.length && mismatches.length < limit; index++) {
    const ok = written[index] === 1
      ? Math.abs(after[index]! - expected[index]!) <= tolerance[index]!
      : afterBits[index] === beforeBits[index];
    if (!ok) mismatches.push({ index, expected: expected[index]!, actual: after[index]!, tolerance: tolerance[index]! });
  }
  return mismatches;
}
