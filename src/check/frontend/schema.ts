// The settings each block kind accepts, in one table. The front end reports unknown keys and
// nested blocks from it; the semantic checker validates the values of the keys listed here.
// A new setting is one more entry in a `keys` list.

export interface SettingsSchema {
  /** Setting keys the block accepts. */
  keys: readonly string[];
  /** Nested blocks the block accepts, by keyword. */
  blocks: Readonly<Record<string, SettingsSchema>>;
  /** Whether any key is accepted (the label names of `labels { "Edema": [...] }`). */
  anyKeys?: boolean;
}

const zeroshotSchema: SettingsSchema = {
  keys: ['negatives', 'score', 'template'],
  blocks: { labels: { keys: [], blocks: {}, anyKeys: true } },
};

/** Schemas of the top-level settings blocks, by block keyword. */
export const blockSchemas = {
  data: {
    keys: ['manifest', 'format', 'image', 'text', 'split', 'labels', 'masks', 'on_missing_file'],
    blocks: {},
  },
  preprocess: {
    keys: ['image', 'text'],
    blocks: {},
  },
  train: {
    keys: ['model', 'data', 'preprocess', 'batch', 'duration', 'optimizer', 'schedule', 'augment', 'freeze', 'checkpoint', 'seed', 'eval'],
    blocks: {},
  },
  eval: {
    keys: ['data', 'model', 'preprocess', 'batch', 'metrics', 'heatmaps', 'similarities', 'ensemble'],
    blocks: { zeroshot: zeroshotSchema },
  },
  export: {
    keys: ['model', 'checkpoint', 'opset', 'graphs', 'dynamic', 'output'],
    blocks: {},
  },
} satisfies Record<string, SettingsSchema>;

export type SettingsBlockKind = keyof typeof blockSchemas;

/** Every top-level block keyword, for "did you mean" on an unknown kind. */
export const topLevelKinds = ['import', 'model', 'block', 'data', 'preprocess', 'train', 'eval', 'export'] as const;

/**
 * Named arguments and settings that hold a size, count or width; a constant value must be
 * positive.
 */
export const positiveSizeNames = new Set(['width', 'layers', 'heads', 'mlp', 'image', 'patch', 'channels', 'max_len', 'batch']);
