// The opsets tierc emits and the IR version each one needs. The pairs follow the release
// table of ONNX's Versioning.md (ONNX 1.8: IR 7, opset 13 … ONNX 1.16: IR 10, opset 21).

export const MIN_OPSET = 13;
export const MAX_OPSET = 21;
export const DEFAULT_OPSET = 17;

const irVersionByOpset: Record<number, number> = {
  13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10,
};

/** The lowest IR version whose ONNX release defines `opset`. */
export function irVersionFor(opset: number): number {
  const version = irVersionByOpset[opset];
  if (version === undefined) throw new Error(`opset ${opset} is outside ${MIN_OPSET}..${MAX_OPSET}`);
  return version;
}

export function isSupportedOpset(opset: number): boolean {
  return Number.isInteger(opset) && opset >= MIN_OPSET && opset <= MAX_OPSET;
}
