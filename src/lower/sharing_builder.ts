// An IrBuilder that shares parameters by name and can open a scope at an absolute path. A head
// applied to several values (`token_proj(text.tokens)` and `token_proj(text.cls)`) runs its
// layers again under the same scope, and every parameter it asks for by a name that already
// exists is the same parameter, so the weights are shared as the spec means.
import { IrBuilder, type ParamSpec, type ScopeOptions, type ValueId } from '../ir/index.js';

/** Thrown when a shared parameter is requested again with another shape. */
export class ShareError extends Error {
  override readonly name = 'ShareError';

  constructor(readonly param: string, readonly first: number[], readonly second: number[]) {
    super(`Parameter '${param}' has shape [${first.join(', ')}] but is requested again with shape [${second.join(', ')}].`);
  }
}

export class SharingBuilder extends IrBuilder {
  private readonly shared = new Map<string, { value: ValueId; shape: number[] }>();
  private forcedPath: string | undefined;

  override param(spec: ParamSpec): ValueId {
    const full = [this.path(), spec.name].filter((part) => part !== '').join('.');
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

  /** Whether a parameter with this full name exists. */
  hasParam(fullName: string): boolean {
    return this.shared.has(fullName);
  }
}
