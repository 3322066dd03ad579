// The values a model's expressions evaluate to while it is checked and lowered. A tensor value
// carries its IR value and its type with named axes, plus the axis a softmax normalized it
// over, so `entropy` can insist on that axis. Layers are functions from tensor to tensor
// (heads, pipes, standard-library blocks given their options but not their input). Every
// value remembers where it was written, for the related spans of diagnostics.
import type { Span } from '../diagnostics/types.js';
import type { LossWeight, TensorType, ValueId } from '../ir/index.js';

export interface TensorValue {
  kind: 'tensor';
  id: ValueId;
  type: TensorType;
  /** The axis a softmax made this value sum to 1 along, if it is a distribution. */
  normalizedOver?: string;
  /** What the value is called in messages: a let name, `image.grid`, or the expression text. */
  label: string;
  /** Where the value was declared (a let, an encoder), for related spans. */
  declared?: Span;
}

export interface NumberValue {
  kind: 'number';
  value: number;
  /** True when written as a whole number with no point or exponent, or computed from such numbers by + - *. */
  integer: boolean;
}

export interface StringValue {
  kind: 'string';
  value: string;
}

/** A bare word that names no value: an axis in `over: patch`, an option word in `output: layer4`. */
export interface WordValue {
  kind: 'word';
  name: string;
}

export interface ListValue {
  kind: 'list';
  items: Value[];
}

/** `from -> to`: a width change of a layer or the endpoints of a schedule. */
export interface ArrowValue {
  kind: 'arrow';
  from: Value;
  to: Value;
}

/** `start..end`: a freeze range inside an index (`layers[0..7]`) or an augmentation range. */
export interface RangeValue {
  kind: 'range';
  start: number;
  end: number;
}

/** A function from one tensor to one tensor: a head, a pipe, a configured block. */
export interface LayerValue {
  kind: 'layer';
  /** How the layer reads in messages: `linear(768 -> 128)`, `token_proj`. */
  label: string;
  span: Span;
  apply(input: TensorValue, at: Span): Value;
}

/** The declared encoder of a modality; its outputs are read as `image.grid`, `text.tokens`. */
export interface EncoderValue {
  kind: 'encoder';
  modality: 'image' | 'text';
  block: string;
  outputs: Record<string, TensorValue>;
  declared: Span;
}

/** A loss-weight schedule such as `warmup(0 -> 0.2, steps: 2000)`. */
export interface ScheduleValue {
  kind: 'schedule';
  weight: LossWeight;
}

/** The result of an expression that already produced a diagnostic; it silences follow-up errors. */
export interface ErrorValue {
  kind: 'error';
}

export type Value =
  | TensorValue
  | NumberValue
  | StringValue
  | WordValue
  | ListValue
  | ArrowValue
  | RangeValue
  | LayerValue
  | EncoderValue
  | ScheduleValue
  | ErrorValue;

export const ERROR: ErrorValue = { kind: 'error' };

export function numberValue(value: number, integer = Number.isInteger(value)): NumberValue {
  return { kind: 'number', value, integer };
}

/** A short description of a value's kind for messages: 'a number', 'a layer', 'f32[batch, 128]'. */
export function describeValue(value: Value): string {
  switch (value.kind) {
    case 'tensor':
      return `a tensor of shape ${formatAxes(value.type)}`;
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'word':
      return `the word '${value.name}'`;
    case 'list':
      return 'a list';
    case 'arrow':
      return "a width change 'a -> b'";
    case 'range':
      return "a range 'a..b'";
    case 'layer':
      return `the layer '${value.label}'`;
    case 'encoder':
      return `the ${value.modality} encoder`;
    case 'schedule':
      return 'a loss-weight schedule';
    case 'error':
      return 'an invalid value';
  }
}

/**
 * Formats the axes of a type with the names the spec declared: `[batch, token, dim=128]`. A named
 * axis of known size shows both; a symbolic axis shows its name; an unnamed axis shows its size.
 */
export function formatAxes(type: TensorType): string {
  const parts = type.axes.map((axis) => {
    if (typeof axis.size !== 'number') return axis.name || axis.size;
    return axis.name && axis.name !== String(axis.size) ? `${axis.name}=${axis.size}` : String(axis.size);
  });
  return `[${parts.join(', ')}]`;
}
