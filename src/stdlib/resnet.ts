// The `resnet50` block: torchvision's ResNet-50 trunk (v1.5: the stride sits on the 3×3
// convolution of each bottleneck), without the classifier, so torchvision and BioViL
// checkpoints load by parameter name.
//
// Parameters: `conv1.weight`, `bn1.*`, then `layer{1..4}.{j}.{conv1, bn1, conv2, bn2, conv3,
// bn3}` and, in the first block of each layer, `layer{k}.0.downsample.0` (1×1 conv) and
// `downsample.1` (batch norm). Batch norms have `weight`, `bias`, `running_mean`,
// `running_var`; torchvision's `num_batches_tracked` counters are not parameters here.
// Convolutions have no bias and start from Kaiming normal (fan out, ReLU gain), as torchvision.
import type { Initializer, IrBuilder, ValueId } from '../ir/index.js';
import { defineBlock, requireInput } from './block.js';
import { batchNormLayer } from './layers.js';
import { ENCODER_OPTIONS } from './options.js';
import type { EncoderOptions } from './options.js';

export type ResNetStage = 'layer1' | 'layer2' | 'layer3' | 'layer4';

export interface ResNet50Options extends EncoderOptions {
  output: ResNetStage;
  channels: number;
  zero_init_residual: boolean;
}

/** Blocks per stage and bottleneck width of ResNet-50; each block outputs 4 × width channels. */
const STAGES: readonly { name: ResNetStage; blocks: number; width: number; stride: number }[] = [
  { name: 'layer1', blocks: 3, width: 64, stride: 1 },
  { name: 'layer2', blocks: 4, width: 128, stride: 2 },
  { name: 'layer3', blocks: 6, width: 256, stride: 2 },
  { name: 'layer4', blocks: 3, width: 512, stride: 2 },
];
const EXPANSION = 4;
const KAIMING: Initializer = { kind: 'kaiming_normal', fan: 'out', gain: Math.SQRT2 };

function conv(b: IrBuilder, x: ValueId, name: string, inChannels: number, outChannels: number, kernel: number, stride: number): ValueId {
  const weight = b.param({ name: `${name}.weight`, shape: [outChannels, inChannels, kernel, kernel], axisNames: ['out', 'in', 'kh', 'kw'], init: KAIMING });
  const pad = (kernel - 1) / 2;
  return b.conv2d(x, weight, { strides: [stride, stride], pads: [pad, pad, pad, pad] }, undefined, { name });
}

function bottleneck(b: IrBuilder, x: ValueId, inChannels: number, width: number, stride: number, zeroInit: boolean): ValueId {
  const out = width * EXPANSION;
  let h = b.relu(batchNormLayer(b, conv(b, x, 'conv1', inChannels, width, 1, 1), { name: 'bn1', channels: width }), { name: 'relu1' });
  h = b.relu(batchNormLayer(b, conv(b, h, 'conv2', width, width, 3, stride), { name: 'bn2', channels: width }), { name: 'relu2' });
  h = conv(b, h, 'conv3', width, out, 1, 1);
  // zero_init_residual starts the last batch norm scale of each block at 0, so blocks start as identities.
  h = batchNormLayer(b, h, { name: 'bn3', channels: out, scaleInit: zeroInit ? { kind: 'zeros' } : { kind: 'ones' } });
  let identity = x;
  if (stride !== 1 || inChannels !== out) {
    identity = b.scope('downsample', () => batchNormLayer(b, conv(b, x, '0', inChannels, out, 1, stride), { name: '1', channels: out }));
  }
  return b.relu(b.add(h, identity, { name: 'residual' }), { name: 'relu3' });
}

export const resnet50 = defineBlock<ResNet50Options>({
  name: 'resnet50',
  doc: 'torchvision ResNet-50 trunk (v1.5) up to the chosen stage; the grid cells of that stage are the patches.',
  options: {
    output: { type: 'enum', values: ['layer1', 'layer2', 'layer3', 'layer4'], default: 'layer4', doc: 'last stage to build; later stages are omitted' },
    channels: { type: 'int', default: 3, min: 1, doc: 'input channels' },
    zero_init_residual: { type: 'bool', default: false, doc: "start each block's last batch norm scale at 0" },
    ...ENCODER_OPTIONS,
  },
  inputs: [{ name: 'image', type: 'f32[batch, channels, height, width]', doc: 'normalized images with concrete height and width' }],
  outputs: [
    { name: 'grid', type: 'f32[batch, patch, channel]', doc: 'feature map cells as a sequence (patch = h·w, 49 for layer4 at 224×224)' },
    { name: 'feature_map', type: 'f32[batch, channel, h, w]', doc: 'the feature map of the output stage' },
    { name: 'pooled', type: 'f32[batch, channel]', doc: 'global average of the feature map' },
  ],
  freezeTargets: () => ({ stem: ['conv1', 'bn1'], layer1: 'layer1', layer2: 'layer2', layer3: 'layer3', layer4: 'layer4' }),
  expand(b, o, inputs) {
    const image = requireInput('resnet50', inputs, 'image');
    let x = conv(b, image, 'conv1', o.channels, 64, 7, 2);
    x = b.relu(batchNormLayer(b, x, { name: 'bn1', channels: 64 }), { name: 'relu' });
    x = b.maxPool2d(x, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, { name: 'maxpool' });

    let channels = 64;
    for (const stage of STAGES) {
      for (let j = 0; j < stage.blocks; j++) {
        const input = x;
        const inChannels = channels;
        const stride = j === 0 ? stage.stride : 1;
        x = b.scope(`${stage.name}.${j}`, () => bottleneck(b, input, inChannels, stage.width, stride, o.zero_init_residual));
        channels = stage.width * EXPANSION;
      }
      if (stage.name === o.output) break;
    }

    const [batch, , h, w] = b.typeOf(x).axes;
    const cells = Number(h!.size) * Number(w!.size);
    const flat = b.reshape(x, [batch!.size, channels, cells], { name: 'grid.flatten', axisNames: [batch!.name, 'channel', 'patch'] });
    return {
      grid: b.transpose(flat, [0, 2, 1], { name: 'grid' }),
      feature_map: x,
      pooled: b.reduceMean(x, [2, 3], false, { name: 'pooled' }),
    };
  },
});
