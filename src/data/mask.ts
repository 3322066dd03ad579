// Ground-truth masks for localization: a mask image goes through the geometric test-time steps
// only (resize and center crop, never intensity steps), so it lines up with the model input.
import { decodeImageFile, type ImageDecodeOptions } from './image.js';
import { applyTransforms, type TransformSpec } from './transforms.js';

export interface Mask {
  /** 1 inside the finding, 0 outside; row-major [height, width]. */
  data: Uint8Array;
  height: number;
  width: number;
}

const geometricOps = new Set(['resize', 'center_crop']);

/** Loads a mask and aligns it with the model input; pixels at or above `threshold` (default 0.5) are inside. */
export async function loadMask(file: string, preprocess: readonly TransformSpec[], options: ImageDecodeOptions & { threshold?: number } = {}): Promise<Mask> {
  const decoded = await decodeImageFile(file, { ...options, channels: 1 });
  const aligned = applyTransforms(decoded, preprocess.filter((step) => geometricOps.has(step.op)));
  const threshold = options.threshold ?? 0.5;
  return { data: Uint8Array.from(aligned.data, (value) => (value >= threshold ? 1 : 0)), height: aligned.height, width: aligned.width };
}
