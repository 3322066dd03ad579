// Convolutions over NCHW inputs. Two common shapes lower to matmuls, which every backend can
// differentiate: a patch embedding (kernel = stride, no padding) becomes reshape/transpose +
// one matmul, and a 1×1 convolution becomes a matmul over channels. Other convolutions run
// tf.conv2d in NHWC with a hand-written backward pass: the input gradient is a transposed
// convolution, and the filter gradient is an im2col product, because the wasm backend has
// no Conv2DBackpropFilter kernel.
import * as tf from '@tensorflow/tfjs-core';
import { customOp } from './custom.js';
import { linear } from './matmul.js';

export interface Conv2dAttrs {
  strides: [number, number];
  pads: [number, number, number, number];
  dilations: [number, number];
  groups: number;
}

/** How a conv2d is lowered, from its attributes and kernel size alone. */
export function convForm(kernel: [number, number], attrs: Conv2dAttrs): 'patch' | 'pointwise' | 'general' {
  const noPad = attrs.pads.every((p) => p === 0);
  const plain = attrs.groups === 1 && attrs.dilations[0] === 1 && attrs.dilations[1] === 1 && noPad;
  if (plain && kernel[0] === 1 && kernel[1] === 1 && attrs.strides[0] === 1 && attrs.strides[1] === 1) return 'pointwise';
  if (plain && kernel[0] === attrs.strides[0] && kernel[1] === attrs.strides[1]) return 'patch';
  return 'general';
}

/** conv2d(x[N, C, H, W], weight[O, C/groups, kh, kw], bias[O]?) → [N, O, H', W']. */
export function conv2d(x: tf.Tensor4D, weight: tf.Tensor4D, bias: tf.Tensor1D | undefined, attrs: Conv2dAttrs): tf.Tensor4D {
  const [outChannels, inChannels, kh, kw] = weight.shape;
  const form = convForm([kh, kw], attrs);
  const [n, c, h, w] = x.shape;
  if (form === 'pointwise') {
    const nhwc = tf.transpose(x, [0, 2, 3, 1]);
    const w2 = tf.transpose(tf.reshape(weight, [outChannels, inChannels])) as tf.Tensor2D;
    return tf.transpose(linear(nhwc, w2, bias), [0, 3, 1, 2]) as tf.Tensor4D;
  }
  if (form === 'patch' && h % kh === 0 && w % kw === 0) {
    const gh = h / kh;
    const gw = w / kw;
    // [N, C, gh, kh, gw, kw] → [N, gh, gw, C, kh, kw]: each patch's pixels in the weight's order.
    const patches = tf.reshape(tf.transpose(tf.reshape(x, [n, c, gh, kh, gw, kw]), [0, 2, 4, 1, 3, 5]), [n, gh, gw, c * kh * kw]);
    const w2 = tf.transpose(tf.reshape(weight, [outChannels, c * kh * kw])) as tf.Tensor2D;
    return tf.transpose(linear(patches, w2, bias), [0, 3, 1, 2]) as tf.Tensor4D;
  }
  const [top, left, bottom, right] = attrs.pads;
  const nhwc = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
  const filter = tf.transpose(weight, [2, 3, 1, 0]) as tf.Tensor4D;
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [top, bottom], [left, right], [0, 0]];
  if (attrs.groups !== 1) throw new Error(`conv2d with groups=${attrs.groups} is not supported by the tfjs backend.`);
  let out = generalConv(nhwc, filter, attrs.strides, pad, attrs.dilations);
  if (bias) out = tf.add(out, bias);
  return tf.transpose(out, [0, 3, 1, 2]) as tf.Tensor4D;
}

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

/**
 * NHWC convolution with filter [kh, kw, in, out]. The filter gradient multiplies im2col
 * patches by the output gradient. The patches come from a depthwise convolution whose
 * filters are one-hot over the kernel window, so each output channel copies one input pixel
 * exactly.
 */
function generalConv(x: tf.Tensor4D, filter: tf.Tensor4D, strides: [number, number], pad: ExplicitPad, dilations: [number, number]): tf.Tensor4D {
  const f = customOp(([input, weights], save) => {
    save([input!, weights!]);
    return {
      value: tf.conv2d(input as tf.Tensor4D, weights as tf.Tensor4D, strides, pad, 'NHWC', dilations),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const g = dy as tf.Tensor4D;
        const [kh, kw, inChannels, outChannels] = ws.shape;
        const dx = dilations[0] === 1 && dilations[1] === 1
          ? tf.conv2dTranspose(g, ws, xs.shape, strides, pad as unknown as 'valid')
          : tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(v as tf.Tensor4D, ws, strides, pad, 'NHWC', dilations), g)))(xs);
        const window = kh * kw;
        const selector = tf.tidy(() => {
          const eye = tf.reshape(tf.eye(window), [kh, kw, 1, window]);
          return tf.tile(eye, [1, 1, inChannels, 1]) as tf.Tensor4D;
        });
        // [N, H', W', in·window] with channel order (in, kernel position); rows then match the filter layout.
        const patches = tf.depthwiseConv2d(xs, selector, strides, pad as unknown as 'valid', 'NHWC', dilations);
        const rows = g.shape[0] * g.shape[1] * g.shape[2];
        const product = tf.matMul(tf.transpose(tf.reshape(patches, [rows, inChannels * window])), tf.reshape(g, [rows, outChannels]));
        const dw = tf.transpose(tf.reshape(product, [inChannels, kh, kw, outChannels]), [1, 2, 0, 3]);
        return [dx, dw];
      },
    };
  });
  return f(x, filter) as tf.Tensor4D;
}

/** max_pool2d over an NCHW input with explicit pads. */
export function maxPool2d(x: tf.Tensor4D, kernel: [number, number], strides: [number, number], pads: [number, number, number, number]): tf.Tensor4D {
  const [top, left, bottom, right] = pads;
  let nhwc = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
  if (pads.some((p) => p !== 0)) nhwc = tf.pad(nhwc, [[0, 0], [top, bottom], [left, right], [0, 0]], -Infinity);
  return tf.transpose(tf.maxPool(nhwc, kernel, strides, 'valid'), [0, 3, 1, 2]) as tf.Tensor4D;
}
