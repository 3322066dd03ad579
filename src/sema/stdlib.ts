// What the checker needs to know about the standard library beyond each block's schema: which
// blocks are encoders of which modality, which graph inputs they read, which spec-visible
// outputs (`image.grid`, `text.eot`) they provide, and the built-in functions that are not
// blocks (`ln`, `exp`, `learnable`, `warmup`).
import { STDLIB_BLOCKS, SCHEDULES, type BlockDef, type OptionSpec } from '../stdlib/index.js';

export { STDLIB_BLOCKS, SCHEDULES };
export type { BlockDef, OptionSpec };

export type Modality = 'image' | 'text';

export interface EncoderInfo {
  modality: Modality;
  /**
   * Spec-visible output names mapped to the block's output ports. Aliases let `image.patches`
   * mean the grid cells of a convolutional encoder and `text.eot` the pooled end-of-text vector.
   */
  members(options: Record<string, unknown>): Record<string, string>;
}

/** Encoders by block name. */
export const ENCODERS: Readonly<Record<string, EncoderInfo>> = {
  resnet50: { modality: 'image', members: () => ({ grid: 'grid', patches: 'grid', pooled: 'pooled', feature_map: 'feature_map' }) },
  vit: { modality: 'image', members: () => ({ cls: 'cls', patches: 'patches', tokens: 'tokens' }) },
  bert: {
    modality: 'text',
    members: (options) => ({ tokens: 'tokens', cls: 'cls', padding: 'padding', ...(options['pooler'] === true ? { pooled: 'pooled' } : {}) }),
  },
  clip_text: {
    modality: 'text',
    members: (options) => ({ tokens: 'tokens', pooled: 'pooled', padding: 'padding', ...(options['pool'] === 'eot' ? { eot: 'pooled' } : {}) }),
  },
};

/** Functions of the language that are not blocks: arithmetic on numbers or tensors, and constructors. */
export const BUILTIN_FUNCTIONS = ['ln', 'log', 'exp', 'sqrt', 'learnable', 'warmup'] as const;

/** Every name the standard library defines, for shadowing checks and suggestions. */
export function stdlibNames(): string[] {
  return [...Object.keys(STDLIB_BLOCKS), ...BUILTIN_FUNCTIONS];
}

/** The input ports of a block that a call must fill. */
export function requiredPorts(block: BlockDef): string[] {
  return block.inputs.filter((port) => port.optional !== true).map((port) => port.name);
}

/** The default learnable-scale clamp: CLIP keeps exp(logit_scale) at or below 100. */
export const DEFAULT_SCALE_MAX = 100;
