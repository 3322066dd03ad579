// The standard library: blocks a spec uses without importing them, by name, each with an
// options schema, input and output ports, and an expansion into IR.
//
// Call `expandBlock(builder, STDLIB_BLOCKS[name], options, inputs)` inside a builder scope
// named after the spec's binding (`image`, `text`, `patch_proj.0`). Parameter names inside
// follow torchvision (resnet50), Hugging Face BertModel (bert) and open_clip (vit,
// clip_text), so pretrained safetensors load with the scope name as the only prefix.
import { dropout, gelu, quick_gelu, relu } from './activations.js';
import { bert } from './bert.js';
import type { BlockDef } from './block.js';
import { clip_text } from './clip_text.js';
import { infonce } from './contrastive.js';
import { entropy, mean, normalize, softmax } from './functional.js';
import { batchnorm, conv1x1, layernorm, linear } from './layers.js';
import { mlp } from './mlp.js';
import { resnet50 } from './resnet.js';
import { vit } from './vit.js';

/** Every standard-library block by the name a spec calls it. */
export const STDLIB_BLOCKS: Readonly<Record<string, BlockDef>> = {
  resnet50, vit, bert, clip_text,
  mlp, linear, conv1x1, layernorm, batchnorm,
  relu, gelu, quick_gelu, dropout,
  normalize, mean, softmax, entropy, infonce,
};

export { defineBlock, expandBlock, requireInput } from './block.js';
export type { BlockDef, PortSpec } from './block.js';
export { BlockError, ENCODER_OPTIONS, closestName, defaultsOf, editDistance, freezePrefixes, resolveAxis, resolveOptions } from './options.js';
export type { AxisRef, EncoderOptions, OptionProblem, OptionSpec, OptionType } from './options.js';
export { ACTIVATIONS, activation, maybeDropout, quickGelu } from './activations.js';
export type { ActivationKind } from './activations.js';
export { MASK_VALUE, alignMask, entropyValue, meanValue, normalizeValue, softmaxValue } from './functional.js';
export { SCHEDULES, infonceValue, learnableScale, warmup } from './contrastive.js';
export type { LearnableScaleOptions, ScheduleDef } from './contrastive.js';
export { applyLinear, batchNormLayer, conv2dLayer, layerNormLayer, linearLayer, normalInit, torchInit } from './layers.js';
export type { BatchNormLayer, Conv2dLayer, LayerNormLayer, LinearInit, LinearLayer } from './layers.js';
export { causalMask, fusedSelfAttention, paddingMask, postNormLayer, preNormBlock } from './transformer.js';
export type { AttentionSpec, BlockSpec } from './transformer.js';
export { resnet50, vit, bert, clip_text, mlp, linear, conv1x1, layernorm, batchnorm, relu, gelu, quick_gelu, dropout, normalize, mean, softmax, entropy, infonce };
export type { ResNet50Options, ResNetStage } from './resnet.js';
export type { VitOptions } from './vit.js';
export type { BertOptions } from './bert.js';
export type { ClipTextOptions } from './clip_text.js';
export type { MlpOptions } from './mlp.js';
