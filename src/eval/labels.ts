// Label policy: how the label values of a column become positives, negatives and excluded
// entries before a metric uses them. Values follow the CheXpert convention: 1 positive,
// 0 negative, -1 uncertain, blank (null, NaN or '') not mentioned.
import { EvalError } from './errors.js';

/** One label cell as it arrives from JSON or a manifest. */
export type LabelValue = number | string | null;

export interface LabelPolicy {
  /** Meaning of -1 (uncertain). The default 'ignore' leaves the entry out of this label's metrics. */
  uncertain?: 'ignore' | 'positive' | 'negative';
  /**
   * Meaning of a blank cell (null, NaN, ''). The default 'negative' reads it as "the report does
   * not mention the finding", as the data layer does; 'ignore' leaves it out.
   */
  blank?: 'ignore' | 'negative';
  /** Further numeric values that mark an entry as masked (left out), for example [2] in a data set that codes "not assessed" as 2. */
  masked?: readonly number[];
}

/** Per-entry targets: 1 positive, 0 negative, -1 excluded from this label's metrics. */
export interface ResolvedLabels {
  targets: Int8Array;
  positives: number;
  negatives: number;
  excluded: number;
}

export const defaultLabelPolicy: Required<LabelPolicy> = { uncertain: 'ignore', blank: 'negative', masked: [] };

/** Applies `policy` to a label column; a value that is not 1, 0, -1, blank or listed in `masked` is an error. */
export function resolveLabels(values: readonly LabelValue[], policy: LabelPolicy = {}, where = 'labels'): ResolvedLabels {
  const full = checkLabelPolicy(policy);
  const targets = new Int8Array(values.length);
  let positives = 0;
  let negatives = 0;
  values.forEach((raw, index) => {
    const target = resolveOne(raw, full, `${where}[${index}]`);
    targets[index] = target;
    if (target === 1) positives++;
    else if (target === 0) negatives++;
  });
  return { targets, positives, negatives, excluded: values.length - positives - negatives };
}

function resolveOne(raw: LabelValue, policy: Required<LabelPolicy>, location: string): 1 | 0 | -1 {
  const value = typeof raw === 'string' ? parseLabelText(raw, location) : raw;
  if (value === null || Number.isNaN(value)) return policy.blank === 'negative' ? 0 : -1;
  if (policy.masked.includes(value)) return -1;
  if (value === 1) return 1;
  if (value === 0) return 0;
  if (value === -1) {
    if (policy.uncertain === 'positive') return 1;
    if (policy.uncertain === 'negative') return 0;
    return -1;
  }
  throw new EvalError({
    code: 'TIER7002',
    location,
    message: `Label value ${JSON.stringify(raw)} is not 1, 0, -1 or blank; list it in the label policy's 'masked' values if it marks an entry to leave out.`,
  });
}

function parseLabelText(text: string, location: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  if (Number.isNaN(value)) {
    throw new EvalError({ code: 'TIER7002', location, message: `Label value '${text}' is not a number or blank.` });
  }
  return value;
}

/** Fills in defaults and rejects unknown values, which would otherwise be read as 'ignore'. */
export function checkLabelPolicy(policy: LabelPolicy): Required<LabelPolicy> {
  const full = { ...defaultLabelPolicy, ...policy };
  const problems: string[] = [];
  if (!['ignore', 'positive', 'negative'].includes(full.uncertain)) problems.push(`'uncertain' must be 'ignore', 'positive' or 'negative', not ${JSON.stringify(full.uncertain)}`);
  if (!['ignore', 'negative'].includes(full.blank)) problems.push(`'blank' must be 'ignore' or 'negative', not ${JSON.stringify(full.blank)}`);
  if (!Array.isArray(full.masked) || full.masked.some((value) => typeof value !== 'number')) problems.push(`'masked' must be an array of numbers`);
  if (problems.length > 0) throw new EvalError({ code: 'TIER7008', message: `The label policy is invalid: ${problems.join('; ')}.` });
  return full;
}
