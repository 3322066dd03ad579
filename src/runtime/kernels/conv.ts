// Convolutions over NCHW inputs. Two common shapes lower to matmuls, which every backend can
// differentiate: a patch embedding (kernel = stride, no padding) becomes reshape/transpose +
// one matmul, and a 1×1 convolution becomes a matmul over channels. Other convolutions use
// tf.conv2d in NHWC, whose filter gradient (Conv2DBackpropFilter) the wasm backend lacks;
// the lowering reports that before training starts.
import * as tf from '@tensorflow/tfjs-core';
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
  let out = tf.conv2d(nhwc, filter, attrs.strides, pad, 'NHWC', attrs.dilations);
  if (bias) out = tf.add(out, bias);
  return tf.transpose(out, [0, 3, 1, 2]) as tf.Tensor4D;
}

/** max_pool2d over an NCHW input with explicit pads. */
export function maxPool2d(x: tf.Tensor4D, kernel: [number, number], strides: [number, number], pads: [number, number, number, number]): tf.Tensor4D {
  const [top, left, bottom, right] = pads;
  let nhwc = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
  if (pads.some((p) => p !== 0)) nhwc = tf.pad(nhwc, [[0, 0], [top, bottom], [left, right], [0, 0]], -Infinity);
  return tf.transpose(tf.maxPool(nhwc, kernel, strides, 'valid'), [0, 3, 1, 2]) as tf.Tensor4D;
}
