// A typed wrapper over tf.customGrad: `forward` receives the input tensors and a `save`
// function, and returns the value with a gradient function over the saved tensors.
import * as tf from '@tensorflow/tfjs-core';

export type CustomForward = (
  inputs: tf.Tensor[],
  save: (tensors: tf.Tensor[]) => void,
) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };

/** Returns an op that runs `forward` and differentiates with its gradient function. */
export function customOp(forward: CustomForward): (...inputs: tf.Tensor[]) => tf.Tensor {
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args[args.length - 1] as (tensors: tf.Tensor[]) => void;
    return forward(args.slice(0, -1) as tf.Tensor[], save);
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (...inputs: tf.Tensor[]) => f(...inputs);
}
