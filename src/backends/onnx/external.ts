// External data. When the initializers of a graph exceed a byte threshold, every tensor of at
// least 1 KiB moves to one data file next to the model, at offsets aligned to 64 bytes. The
// model refers to that file by its relative location.
import { tensorProto, type EncodedInitializer, type InitializerData } from './graph.js';

const MIN_EXTERNAL_BYTES = 1024;
const ALIGNMENT = 64;

export interface ExternalLayout {
  tensors: EncodedInitializer[];
  /** The data file's bytes, or undefined when everything stays inline. */
  data?: Uint8Array;
  totalBytes: number;
}

export function layoutExternalData(initializers: readonly InitializerData[], location: string, threshold: number): ExternalLayout {
  const totalBytes = initializers.reduce((sum, init) => sum + init.raw.byteLength, 0);
  if (totalBytes <= threshold) return { tensors: initializers.map((init) => tensorProto(init)), totalBytes };
  let offset = 0;
  const placed: { init: InitializerData; offset: number }[] = [];
  const tensors = initializers.map((init) => {
    if (init.raw.byteLength < MIN_EXTERNAL_BYTES) return tensorProto(init);
    offset = Math.ceil(offset / ALIGNMENT) * ALIGNMENT;
    placed.push({ init, offset });
    const proto = tensorProto(init, { location, offset });
    offset += init.raw.byteLength;
    return proto;
  });
  const data = new Uint8Array(offset);
  for (const { init, offset: at } of placed) data.set(init.raw, at);
  return { tensors, data, totalBytes };
}
