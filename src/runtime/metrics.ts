// Per-step training metrics and the JSONL file they are appended to, one object per line.
import { appendFileSync, closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StepMetrics {
  /** Optimizer steps completed. */
  step: number;
  /** Weighted total loss. */
  loss: number;
  /** Each unweighted loss term by name. */
  terms: Record<string, number>;
  lr: number;
  /** Value of the first clamped parameter (CLIP's logit scale, stored as a log). */
  logitScale?: number;
  gradNorm?: number;
  samplesPerSecond: number;
  /** Share of the step spent waiting for data. */
  dataWaitFraction: number;
  seconds: number;
}

export class MetricsWriter {
  constructor(private readonly path: string, append: boolean) {
    mkdirSync(dirname(path), { recursive: true });
    if (!append) writeFileSync(path, '');
    closeSync(openSync(path, 'a'));
  }

  write(metrics: StepMetrics): void {
    const { step, loss, terms, lr, logitScale, gradNorm, samplesPerSecond, dataWaitFraction } = metrics;
    const line: Record<string, unknown> = { step, loss, ...prefixed(terms), lr };
    if (logitScale !== undefined) line.logit_scale = logitScale;
    if (gradNorm !== undefined) line.grad_norm = gradNorm;
    line.samples_per_s = samplesPerSecond;
    line.data_wait = dataWaitFraction;
    appendFileSync(this.path, JSON.stringify(line) + '\n');
  }

  close(): void {}
}

function prefixed(terms: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(terms).map(([name, value]) => [`loss/${name}`, value]));
}
