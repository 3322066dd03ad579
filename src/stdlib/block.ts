// The shape of a standard-library block and the one entry point that expands it.
//
// A block has an options schema (types, defaults, descriptions), named input and output
// ports, and an `expand` that emits IR through the builder under the current scope. Call
// `expandBlock` rather than `expand` directly: it fills defaults, validates the options,
// applies the block's `freeze` list and maps parameters to the checkpoint named by `init`.
import type { IrBuilder, ScopeOptions, ValueId } from '../ir/index.js';
import { BlockError, freezePrefixes, resolveOptions } from './options.js';
import type { OptionSpec } from './options.js';

export interface PortSpec {
  name: string;
  /** The expected type, written with axis names: `f32[batch, token, width]`. */
  type: string;
  optional?: boolean;
  doc: string;
}

export interface BlockDef<O = any> {
  name: string;
  doc: string;
  options: { [K in keyof O]-?: OptionSpec };
  inputs: readonly PortSpec[];
  outputs: readonly PortSpec[];
  /**
   * Sub-module names the `freeze` option accepts, mapped to parameter name prefixes
   * relative to the block's scope: `{ embeddings: 'embeddings', 'layers[0]': 'encoder.layer.0' }`.
   * Blocks that have this also have the options `freeze` (string[]) and `init` (checkpoint path or null).
   */
  freezeTargets?(options: O): Record<string, string | string[]>;
  /** Emits the block; `options` are complete and valid. Returns every output port. */
  expand(b: IrBuilder, options: O, inputs: Readonly<Record<string, ValueId>>): Record<string, ValueId>;
}

/** Identity helper that checks a block definition against its options type. */
export function defineBlock<O>(def: BlockDef<O>): BlockDef<O> {
  return def;
}

/** Returns a required input port or throws a BlockError naming it. */
export function requireInput(block: string, inputs: Readonly<Record<string, ValueId>>, port: string): ValueId {
  const value = inputs[port];
  if (value === undefined) throw new BlockError(block, `'${block}' needs input '${port}'.`);
  return value;
}

/**
 * Validates `given` against the block's schema, then expands it. Throws a BlockError that
 * lists every option problem, or one from the expansion itself; ShapeErrors pass through.
 */
export function expandBlock(
  b: IrBuilder,
  block: BlockDef,
  given: Readonly<Record<string, unknown>>,
  inputs: Readonly<Record<string, ValueId>>,
): Record<string, ValueId> {
  const result = resolveOptions<Record<string, unknown>>(block.name, block.options as Record<string, OptionSpec>, given);
  if (result.problems.length > 0) {
    throw new BlockError(block.name, result.problems.map((p) => p.message).join(' '), result.problems[0]!.option);
  }
  const options = result.options!;
  const unknownPorts = Object.keys(inputs).filter((port) => !block.inputs.some((p) => p.name === port));
  if (unknownPorts.length > 0) throw new BlockError(block.name, `'${block.name}' has no input '${unknownPorts[0]}'.`);

  const patterns = (options['freeze'] as string[] | null | undefined) ?? [];
  const checkpoint = options['init'];
  const scope: ScopeOptions = {};
  if (patterns.length > 0) scope.freeze = freezePrefixes(block.name, patterns, block.freezeTargets?.(options) ?? {});
  if (typeof checkpoint === 'string') scope.pretrained = checkpoint;
  return b.scope('', () => block.expand(b, options, inputs), scope);
}
