// Learning-rate and loss-weight schedules as pure functions of the optimizer step (0-based).
import type { LossWeight } from '../ir/types.js';

export interface LrSchedule {
  kind: 'constant' | 'cosine' | 'linear';
  /** Steps of linear warmup from 0 to the base rate. */
  warmupSteps?: number;
  /** Rate reached at the last step by cosine and linear decay; defaults to 0. */
  minLr?: number;
}

/** The learning rate of step `step` of `totalSteps`. */
export function learningRate(base: number, schedule: LrSchedule, step: number, totalSteps: number): number {
  const warmup = schedule.warmupSteps ?? 0;
  if (step < warmup) return (base * (step + 1)) / warmup;
  if (schedule.kind === 'constant') return base;
  const minLr = schedule.minLr ?? 0;
  const span = Math.max(totalSteps - warmup, 1);
  const progress = Math.min(Math.max((step - warmup) / span, 0), 1);
  const factor = schedule.kind === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
  return minLr + (base - minLr) * factor;
}

/** The weight of a loss term at `step`: constant, or a linear ramp over `steps` steps that then holds. */
export function lossWeight(weight: LossWeight, step: number): number {
  if (weight.kind === 'constant') return weight.value;
  if (weight.steps <= 0 || step >= weight.steps) return weight.to;
  return weight.from + ((weight.to - weight.from) * step) / weight.steps;
}
