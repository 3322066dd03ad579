// An IrBuilder that shares parameters by name and can open a scope at an absolute path. A head
// applied to several values (`token_proj(text.tokens)` and `token_proj(text.cls)`) runs its
// layers again under the same scope, and every parameter it requests by a name that already
// exists is the same parameter, so the weights are shared as the spec means.
import { IrBuilder, type NodeOptions, type OpAttrs, type OpKind, type ParamSpec, type ScopeOptions, type ValueId } from '../ir/index.js';

/** Thrown when a shared parameter is requested again with another shape. */
export class ShareError extends Error {
  override readonly name = 'ShareError';

  constructor(readonly param: string, readonly first: number[], readonly second: number[]) {
    super(`Parameter '${param}' has shape [${first.join(', ')}] but is requested again with shape [${second.join(', ')}].`);
  }
}

/**
 * Thrown when a spec requests more than the compiler builds: more than MAX_NODES IR nodes (a
 * layer count of 1e9) or a parameter of 2^31 elements or more. Caught and reported by the lowering.
 */
export class LimitError extends Error {
  override readonly name = 'LimitError';
}

/** IR nodes one model may have; the largest standard encoders need a few thousand. */
export const MAX_NODES = 50_000;
/** Elements one parameter may have: ONNX and safetensors offsets are 32-bit signed here. */
export const MAX_PARAM_ELEMENTS = 2 ** 31 - 1;

/** Layers one block may stack; real encoders have at most a few dozen. */
export const MAX_LAYERS = 1000;

/** Rejects a layer count far beyond any real model before expanding it. */
export function checkLayerCount(block: string, options: Readonly<Record<string, unknown>>): void {
  const layers = options['layers'];
  if (typeof layers === 'number' && layers > MAX_LAYERS) {
    throw new LimitError(`'${block}' with ${layers} layers is larger than the compiler builds; a block may have at most ${MAX_LAYERS} layers.`);
  }
}

export class SharingBuilder extends IrBuilder {
  private readonly shared = new Map<string, { value: ValueId; shape: number[] }>();
  private forcedPath: string | undefined;
  private nodeCount = 0;

  override emit<K extends OpKind>(op: K, inputs: ValueId[], attrs: OpAttrs[K], options?: NodeOptions): ValueId {
    this.nodeCount++;
    if (this.nodeCount > MAX_NODES) throw new LimitError(`The model needs more than ${MAX_NODES.toLocaleString('en-US')} IR nodes; check layer counts and sizes.`);
    return super.emit(op, inputs, attrs, options);
  }

  override param(spec: ParamSpec): ValueId {
    const full = [this.path(), spec.name].filter((part) => part !== '').join('.');
    const elements = spec.shape.reduce((product, size) => product * size, 1);
    if (elements > MAX_PARAM_ELEMENTS) {
      throw new LimitError(`Parameter '${full}' would have shape [${spec.shape.join(', ')}], ${elements.toExponential(2)} elements; a parameter must have fewer than 2^31.`);
    }
    const existing = this.shared.get(full);
    if (existing !== undefined) {
      const same = existing.shape.length === spec.shape.length && existing.shape.every((size, i) => size === spec.shape[i]);
      if (!same) throw new ShareError(full, existing.shape, spec.shape);
      return existing.value;
    }
    const value = super.param(spec);
    this.shared.set(full, { value, shape: [...spec.shape] });
    return value;
  }

  override path(): string {
    return this.forcedPath ?? super.path();
  }

  /** Runs `body` in a scope whose path is `path`, whatever scopes enclose the call. */
  atPath<T>(path: string, body: () => T, options: ScopeOptions = {}): T {
    this.forcedPath = path;
    return this.scope(
      '',
      () => {
        this.forcedPath = undefined;
        return body();
      },
      options,
    );
  }

  /** Reports whether a parameter with this full name exists. */
  hasParam(fullName: string): boolean {
    return this.shared.has(fullName);
  }
}
