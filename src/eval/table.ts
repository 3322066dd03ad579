// The AUROC table of an evaluation: one row per label with its interval, and the unweighted
// macro mean over the labels whose AUROC is defined. The macro interval resamples images
// jointly across labels (plain bootstrap), because labels of one image are correlated.
import type { EvalIssue } from './errors.js';
import { checkLabelPolicy, resolveLabels, type LabelPolicy, type LabelValue } from './labels.js';
import {
  auroc,
  bootstrapAuroc,
  checkBootstrapOptions,
  checkScores,
  describeUndefined,
  intervalFrom,
  rankEntries,
  weightedAuroc,
  type BootstrapOptions,
  type ConfidenceInterval,
  type UndefinedReason,
} from './metrics.js';
import { createStream } from './random.js';
import { EvalError } from './errors.js';

export interface LabelAuroc {
  label: string;
  auroc: number | null;
  /** Set when `auroc` is null. */
  reason?: UndefinedReason;
  /** A sentence for people, set when `auroc` is null. */
  note?: string;
  positives: number;
  negatives: number;
  excluded: number;
  /** Absent when bootstrapping was off; null when the AUROC is undefined. */
  ci?: ConfidenceInterval | null;
}

export interface AurocTable {
  rows: LabelAuroc[];
  macro: {
    /** Unweighted mean over the labels with a defined AUROC; null when there are none. */
    auroc: number | null;
    /** Labels that entered the mean. */
    labels: string[];
    /** Labels left out because their AUROC is undefined. */
    undefinedLabels: string[];
    ci?: ConfidenceInterval | null;
  };
  policy: Required<LabelPolicy>;
  bootstrap: Required<BootstrapOptions> | null;
  /** Warnings (TIER7003 undefined AUROC, TIER7004 skipped resamples). */
  warnings: EvalIssue[];
}

export interface AurocTableOptions {
  policy?: LabelPolicy;
  /** Bootstrap settings, or false (the default) for point estimates only. */
  bootstrap?: BootstrapOptions | false;
}

/**
 * Computes the AUROC of every label in `labels` against the score column of the same name.
 * Every label needs a score column and the reverse; the row order follows `labels`.
 */
export function aurocTable(
  scores: Readonly<Record<string, ArrayLike<number | null>>>,
  labels: Readonly<Record<string, readonly LabelValue[]>>,
  options: AurocTableOptions = {},
): AurocTable {
  const policy = checkLabelPolicy(options.policy ?? {});
  const bootstrap = options.bootstrap === undefined || options.bootstrap === false ? null : checkBootstrapOptions(options.bootstrap);
  checkSameNames(scores, labels);

  const warnings: EvalIssue[] = [];
  const rows: LabelAuroc[] = [];
  for (const [label, values] of Object.entries(labels)) {
    const column = scores[label] as ArrayLike<number | null>;
    const point = auroc(column, values, policy, `labels.${label}`);
    const row: LabelAuroc = { label, auroc: point.value, positives: point.positives, negatives: point.negatives, excluded: point.excluded };
    if (point.reason !== undefined) {
      row.reason = point.reason;
      row.note = describeUndefined(point.reason, point);
      warnings.push({ code: 'TIER7003', location: `labels.${label}`, message: `AUROC of '${label}' is undefined because ${row.note}.` });
    }
    if (bootstrap !== null) {
      row.ci = bootstrapAuroc(column, values, bootstrap, policy, label);
      if (row.ci !== null && row.ci.skipped > 0) warnings.push(skippedWarning(label, row.ci));
    }
    rows.push(row);
  }

  const defined = rows.filter((row) => row.auroc !== null);
  const macro: AurocTable['macro'] = {
    auroc: defined.length > 0 ? defined.reduce((sum, row) => sum + (row.auroc as number), 0) / defined.length : null,
    labels: defined.map((row) => row.label),
    undefinedLabels: rows.filter((row) => row.auroc === null).map((row) => row.label),
  };
  if (bootstrap !== null) {
    macro.ci = macroInterval(scores, labels, macro.labels, policy, bootstrap);
    if (macro.ci !== null && macro.ci.skipped > 0) warnings.push(skippedWarning('macro mean', macro.ci));
  }
  return { rows, macro, policy, bootstrap, warnings };
}

function skippedWarning(what: string, ci: ConfidenceInterval): EvalIssue {
  return {
    code: 'TIER7004',
    message: `${ci.skipped} of ${ci.resamples} bootstrap resamples of '${what}' held one class only and were skipped; the interval uses the other ${ci.resamples - ci.skipped}.`,
  };
}

/**
 * Resamples image indices jointly for all labels and returns the interval of the macro mean.
 * A resample in which any of the macro's labels loses a class is skipped and counted.
 */
function macroInterval(
  scores: Readonly<Record<string, ArrayLike<number | null>>>,
  labels: Readonly<Record<string, readonly LabelValue[]>>,
  included: readonly string[],
  policy: Required<LabelPolicy>,
  options: Required<BootstrapOptions>,
): ConfidenceInterval | null {
  if (included.length === 0) return null;
  const ranked = included.map((label) => {
    const resolved = resolveLabels(labels[label] as readonly LabelValue[], policy);
    const column = scores[label] as ArrayLike<number | null>;
    checkScores(column, resolved.targets, `scores.${label}`);
    return rankEntries(column, resolved.targets);
  });
  const count = (labels[included[0] as string] as readonly LabelValue[]).length;
  for (const label of included) {
    const length = (labels[label] as readonly LabelValue[]).length;
    if (length !== count) {
      throw new EvalError({
        code: 'TIER7001',
        location: `labels.${label}`,
        message: `Label '${label}' has ${length} entries but '${included[0]}' has ${count}; a joint bootstrap needs one entry per image in every label.`,
      });
    }
  }
  const stream = createStream(options.seed, '\u0000macro');
  const weights = new Float64Array(count);
  const values: number[] = [];
  let skipped = 0;
  for (let r = 0; r < options.resamples; r++) {
    weights.fill(0);
    for (let k = 0; k < count; k++) {
      const index = stream.below(count);
      weights[index] = (weights[index] as number) + 1;
    }
    let sum = 0;
    let degenerate = false;
    for (const entries of ranked) {
      const value = weightedAuroc(entries, weights);
      if (value === null) {
        degenerate = true;
        break;
      }
      sum += value;
    }
    if (degenerate) skipped++;
    else values.push(sum / ranked.length);
  }
  return intervalFrom(values, options, 'joint', skipped);
}

function checkSameNames(scores: Readonly<Record<string, unknown>>, labels: Readonly<Record<string, unknown>>): void {
  for (const label of Object.keys(labels)) {
    if (!(label in scores)) {
      throw new EvalError({ code: 'TIER7007', location: `scores`, message: `Label '${label}' has labels but no score column.` });
    }
  }
  for (const label of Object.keys(scores)) {
    if (!(label in labels)) {
      throw new EvalError({ code: 'TIER7007', location: `labels`, message: `Label '${label}' has scores but no label column.` });
    }
  }
}
