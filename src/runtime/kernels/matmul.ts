// Matrix products with hand-written backward passes. On the wasm backend a MatMul with
// `transposeA`/`transposeB` leaves XNNPACK's fast path (about 1 GFLOP/s against 10–30 for a
// plain product, measured with tfjs-backend-wasm 4.22.0), and tfjs's own matmul gradient uses
// exactly those forms. Every gradient here transposes explicitly and then multiplies plainly.
// When the wasm backend's products run on tierc's native addon (native-matmul.ts), a
// transposed operand is only a pair of swapped strides, so the gradients pass the
// `transposeA`/`transposeB` flags instead and no Transpose kernel runs.
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom.js';
import { nativeMatmulActive } from './native-matmul.js';

type Activation = 'linear' | 'relu';

/** A plain 2-D product a[m,k] × b[k,n] whose gradients use explicit transposes. */
export function matmul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = customOp(([x, w], save) => {
    save([x!, w!]);
    return {
      value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        if (nativeMatmulActive()) return [tf.matMul(dy as tf.Tensor2D, ws, false, true), tf.matMul(xs, dy as tf.Tensor2D, true, false)];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)];
      },
    };
  });
  return f(a, b) as tf.Tensor2D;
}

/**
 * x[..., k] × w[k, n] (+ bias[n], then an activation) as one 2-D product over the flattened
 * leading axes, through `tf.fused.matMul` where the backend has it.
 */
export function linear(x: tf.Tensor, w: tf.Tensor2D, bias?: tf.Tensor1D, activation: Activation = 'linear'): tf.Tensor {
  const k = x.shape[x.shape.length - 1]!;
  const n = w.shape[1];
  const outShape = [...x.shape.slice(0, -1), n];
  const rows = tf.reshape(x, [-1, k]) as tf.Tensor2D;
  const inputs: tf.Tensor[] = bias ? [rows, w, bias] : [rows, w];
  const f = customOp((args, save) => {
    const [xr, wr, br] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D | undefined];
    const value = tf.fused.matMul({ a: xr, b: wr, bias: bias ? br : undefined, activation });
    save(activation === 'relu' ? [xr, wr, value] : [xr, wr]);
    return {
      value,
      gradFunc: (dy, saved) => {
        let g = dy as tf.Tensor2D;
        if (activation === 'relu') g = tf.mul(g, tf.step(saved[2]!)) as tf.Tensor2D;
        if (nativeMatmulActive()) {
          const dxNative = tf.matMul(g, saved[1] as tf.Tensor2D, false, true);
          const dwNative = tf.matMul(saved[0] as tf.Tensor2D, g, true, false);
          return bias ? [dxNative, dwNative, columnSums(g)] : [dxNative, dwNative];
        }
        const dx = tf.matMul(g, tf.transpose(saved[1] as tf.Tensor2D));
        const dw = rowContraction(saved[0] as tf.Tensor2D, g);
        return bias ? [dx, dw, tf.sum(g, 0)] : [dx, dw];
      },
    };
  });
  return tf.reshape(f(...inputs), outShape);
}

/**
 * x[..., k] × wᵀ (+ bias[n]) for a weight stored [n, k] (PyTorch's `nn.Linear` layout). The
 * weight's transpose is small, so the forward pass transposes it and runs one fused product.
 * The input gradient dy × w needs no transpose at all, and the weight gradient dyᵀ × x
 * transposes the narrower of dy and x (see `rowContraction`).
 */
export function linearTransposed(x: tf.Tensor, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor {
  const [n, k] = w.shape;
  const outShape = [...x.shape.slice(0, -1), n];
  const rows = tf.reshape(x, [-1, k]) as tf.Tensor2D;
  const inputs: tf.Tensor[] = bias ? [rows, w, bias] : [rows, w];
  const f = customOp((args, save) => {
    const [xr, wr, br] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D | undefined];
    const native = nativeMatmulActive();
    const value = native
      ? tf.fused.matMul({ a: xr, b: wr, transposeB: true, bias: bias ? br : undefined })
      : tf.fused.matMul({ a: xr, b: tf.transpose(wr), bias: bias ? br : undefined });
    save([xr, wr]);
    return {
      value,
      gradFunc: (dy, saved) => {
        const g = dy as tf.Tensor2D;
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dx = tf.matMul(g, ws);
        if (native) {
          const dw = tf.matMul(g, xs, true, false);
          return bias ? [dx, dw, columnSums(g)] : [dx, dw];
        }
        if (n > k) return bias ? [dx, rowContraction(g, xs), tf.sum(g, 0)] : [dx, rowContraction(g, xs)];
        // rowContraction would transpose dy here anyway. The rows of dyᵀ then give the bias
        // gradient as a sum over the innermost axis, so the wasm Sum kernel needs no transpose.
        const gT = tf.transpose(g);
        const dw = tf.matMul(gT, xs);
        return bias ? [dx, dw, tf.sum(gT, 1)] : [dx, dw];
      },
    };
  });
  return tf.reshape(f(...inputs), outShape);
}

/**
 * Sums of the columns of g [m, n] as a product ones[1, m] × g: on the native addon this
 * reads g once, where the wasm Sum kernel over the leading axis transposes g first.
 */
function columnSums(g: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(tf.matMul(tf.ones([1, g.shape[0]]), g), [g.shape[1]]) as tf.Tensor1D;
}

/**
 * aᵀ × b for a[m, p] and b[m, q], summing over the m rows, as a plain product. Either a is
 * transposed (m·p values), or the product is computed as (bᵀ × a)ᵀ, which transposes b
 * (m·q values) and then the small [q, p] result. The narrower operand is the one moved.
 */
export function rowContraction(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (a.shape[1] <= b.shape[1]) return tf.matMul(tf.transpose(a), b);
  return tf.transpose(tf.matMul(tf.transpose(b), a)) as tf.Tensor2D;
}

/**
 * Batched product of 3-D operands, each optionally stored transposed in its last two axes.
 * On wasm, BatchMatMul with more than one batch runs a plain loop (about 0.3 GFLOP/s against
 * 1 for this form on a loaded 2-core machine, tfjs-backend-wasm 4.22.0), while a depthwise
 * convolution runs on XNNPACK. With the batch as channels, a [M·K, 1] input column per channel,
 * a [K, 1] filter per channel with N outputs and stride K, the convolution computes
 * out[c, i, j] = Σₖ a[c, i, k]·b[c, k, j] exactly.
 */
function product3d(a: tf.Tensor3D, b: tf.Tensor3D, transposeA: boolean, transposeB: boolean): tf.Tensor3D {
  if (nativeMatmulActive()) return tf.matMul(a, b, transposeA, transposeB);
  if (tf.getBackend() !== 'wasm') {
    const left = transposeA ? tf.transpose(a, [0, 2, 1]) : a;
    const right = transposeB ? tf.transpose(b, [0, 2, 1]) : b;
    return tf.matMul(left, right);
  }
  const channels = a.shape[0];
  const [m, k] = transposeA ? [a.shape[2], a.shape[1]] : [a.shape[1], a.shape[2]];
  const n = transposeB ? b.shape[1] : b.shape[2];
  // Input laid out [m, k, channel]; filter laid out [k, channel, n].
  const input = tf.reshape(tf.transpose(a, transposeA ? [2, 1, 0] : [1, 2, 0]), [1, m * k, 1, channels]) as tf.Tensor4D;
  const filter = tf.reshape(tf.transpose(b, transposeB ? [2, 0, 1] : [1, 0, 2]), [k, 1, channels, n]) as tf.Tensor4D;
  const out = tf.depthwiseConv2d(input, filter, [k, 1], 'valid');
  return tf.transpose(tf.reshape(out, [m, channels, n]), [1, 0, 2]) as tf.Tensor3D;
}

/**
 * Batched product a[..., m, k] × b[..., k, n] with equal leading axes (attention scores and
 * values). The batch axes are flattened to one, and gradients are products of the same form.
 */
export function batchedMatmul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const rank = a.shape.length;
  const lead = a.shape.slice(0, -2);
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const a3 = tf.reshape(a, [-1, m, k]) as tf.Tensor3D;
  const b3 = tf.reshape(b, [-1, k, n]) as tf.Tensor3D;
  const f = customOp(([x, y], save) => {
    save([x!, y!]);
    return {
      value: product3d(x as tf.Tensor3D, y as tf.Tensor3D, false, false),
      gradFunc: (dy, saved) => {
        const [xs, ys] = saved as [tf.Tensor3D, tf.Tensor3D];
        const g = dy as tf.Tensor3D;
        return [product3d(g, ys, false, true), product3d(xs, g, true, false)];
      },
    };
  });
  const out = f(a3, b3);
  return rank === 3 ? out : tf.reshape(out, [...lead, m, n]);
}

/** numpy-style matmul: picks the 2-D, linear or batched form from the operand shapes. */
export function matmul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank === 2 && b.rank === 2) return matmul2d(a as tf.Tensor2D, b as tf.Tensor2D);
  if (b.rank === 2) return linear(a, b as tf.Tensor2D);
  if (a.rank === b.rank && a.shape.slice(0, -2).every((size, i) => size === b.shape[i])) return batchedMatmul(a, b);
  // Broadcast batch axes: rare in CLIP-style models; tfjs's own gradient handles them.
  return tf.matMul(a, b);
}
