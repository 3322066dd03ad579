// The phantom demo compares three specs. phantom_baseline.tier must differ from phantom_small.tier
// only in the entropy weights (0 instead of 0.1), and phantom_t1.tier only in the similarity
// temperature (1 instead of 0.1). All three train with the same settings.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../src/compile.js';
import { nodeHost } from '../../src/driver/index.js';
import { printModule } from '../../src/ir/index.js';

const root = resolve(import.meta.dirname, '../..');

function load(spec: string, model: string): { listing: string[]; train: unknown } {
  const report = check({ entry: `specs/${spec}`, host: nodeHost(root), cwd: root });
  expect(report.diagnostics.filter((diagnostic) => diagnostic.severity === 'error')).toEqual([]);
  const lowered = report.models.find((candidate) => candidate.name === model);
  if (lowered === undefined) throw new Error(`specs/${spec} has no model '${model}'`);
  const train = report.configs?.train.find((config) => config.model === model);
  const { model: _model, span: _span, ...settings } = train as unknown as Record<string, unknown>;
  return { listing: printModule(lowered.module).split('\n').slice(1), train: settings };
}

/** Returns the lines of `a` and `b` that differ, as pairs. Both listings must have the same length. */
function changedLines(a: string[], b: string[]): Array<[string, string]> {
  expect(b.length).toBe(a.length);
  return a.flatMap((line, index) => (line === b[index] ? [] : [[line, b[index] as string] as [string, string]]));
}

describe('phantom demo specs', () => {
  const small = load('phantom_small.tier', 'phantom_small');

  it('baseline changes only the entropy weights', () => {
    const baseline = load('phantom_baseline.tier', 'phantom_baseline');
    const changed = changedLines(small.listing, baseline.listing);
    expect(changed).toHaveLength(2);
    expect(changed[0]?.[0]).toMatch(/^ {2}words = %\d+ \* 0\.1 /);
    expect(changed[0]?.[1]).toMatch(/^ {2}words = %\d+ \* 0 /);
    expect(changed[1]?.[0]).toMatch(/^ {2}regions = %\d+ \* 0\.1 /);
    expect(changed[1]?.[1]).toMatch(/^ {2}regions = %\d+ \* 0 /);
    expect(baseline.train).toEqual(small.train);
  });

  it('temperature-1 variant changes only the temperature', () => {
    const t1 = load('phantom_t1.tier', 'phantom_t1');
    const changed = changedLines(small.listing, t1.listing);
    expect(changed).toHaveLength(1);
    expect(changed[0]?.[0]).toMatch(/= constant \[0\.1\] : f32\[\] {2}# sim @/);
    expect(changed[0]?.[1]).toMatch(/= constant \[1\] : f32\[\] {2}# sim @/);
    expect(t1.train).toEqual(small.train);
  });

  it('trains without augmentation', () => {
    expect((small.train as { augment: unknown[] }).augment).toEqual([]);
  });
});
