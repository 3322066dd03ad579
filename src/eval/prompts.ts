// Zero-shot prompt sets: each label has positive prompts and negative prompts. Negatives are the
// label's own plus the shared ones (the "No Finding" prompts), where a shared template such as
// "No {label}." is filled in with the label name.
//
// Casing rule ('sentence', the default): the label name is lowercased where it is inserted,
// because the method's prompts read "No cardiomegaly.", and when `{label}` opens the prompt the
// first letter is then capitalized ("{label} is present." → "Cardiomegaly is present.").
// 'keep' inserts the name exactly as written (for acronyms such as "ARDS").
import { EvalError } from './errors.js';

export interface LabelPrompts {
  positives: readonly string[];
  /** Negatives of this label only, used in addition to the shared negatives. */
  negatives?: readonly string[];
}

export interface ZeroShotPrompts {
  /** Label name → its positive prompts, or its positive and own negative prompts. Order is kept. */
  labels: Readonly<Record<string, readonly string[] | LabelPrompts>>;
  /** Negatives shared by every label; prompts containing `{label}` are filled in per label. */
  negatives?: readonly string[];
  /** Casing of the label name inserted for `{label}`. Default 'sentence'. */
  labelCase?: 'sentence' | 'keep';
}

export interface ExpandedLabelPrompts {
  label: string;
  positives: string[];
  negatives: string[];
}

export interface ExpandedPrompts {
  labels: ExpandedLabelPrompts[];
  /** The shared negatives without a placeholder: the reference ("No Finding") prompt set, possibly empty. */
  reference: string[];
}

const placeholder = /\{([^{}]*)\}/g;

/** Fills `{label}` in `template`; any other `{…}` placeholder is an error. */
export function fillLabel(template: string, label: string, labelCase: 'sentence' | 'keep' = 'sentence'): string {
  checkPlaceholders(template);
  const name = labelCase === 'sentence' ? label.toLowerCase() : label;
  const filled = template.replaceAll('{label}', name);
  if (labelCase === 'sentence' && template.trimStart().startsWith('{label}')) {
    const start = filled.length - filled.trimStart().length;
    return filled.slice(0, start) + filled.charAt(start).toUpperCase() + filled.slice(start + 1);
  }
  return filled;
}

/** Expands every label's prompt sets; an empty positive or negative set is an error. */
export function expandPrompts(prompts: ZeroShotPrompts): ExpandedPrompts {
  const labelCase = prompts.labelCase ?? 'sentence';
  if (labelCase !== 'sentence' && labelCase !== 'keep') {
    throw new EvalError({ code: 'TIER7016', message: `Label case '${String(labelCase)}' is not 'sentence' or 'keep'.` });
  }
  const shared = prompts.negatives ?? [];
  shared.forEach(checkPlaceholders);
  const names = Object.keys(prompts.labels);
  if (names.length === 0) throw new EvalError({ code: 'TIER7010', message: 'The zero-shot prompts name no labels.' });

  const labels = names.map((label): ExpandedLabelPrompts => {
    const entry = prompts.labels[label] as readonly string[] | LabelPrompts;
    const own: LabelPrompts = isPromptList(entry) ? { positives: entry } : entry;
    const positives = own.positives.map((text) => fillLabel(text, label, labelCase));
    const negatives = [...(own.negatives ?? []), ...shared].map((text) => fillLabel(text, label, labelCase));
    if (positives.length === 0) {
      throw new EvalError({ code: 'TIER7010', location: `labels.${label}`, message: `Label '${label}' has no positive prompts.` });
    }
    if (negatives.length === 0) {
      throw new EvalError({
        code: 'TIER7010',
        location: `labels.${label}`,
        message: `Label '${label}' has no negative prompts; give it its own negatives or add shared negatives such as "No {label}.".`,
      });
    }
    return { label, positives: unique(positives), negatives: unique(negatives) };
  });
  return { labels, reference: unique(shared.filter((text) => !text.includes('{label}'))) };
}

function isPromptList(entry: readonly string[] | LabelPrompts): entry is readonly string[] {
  return Array.isArray(entry);
}

function checkPlaceholders(template: string): void {
  for (const match of template.matchAll(placeholder)) {
    if (match[1] !== 'label') {
      throw new EvalError({
        code: 'TIER7011',
        message: `Prompt '${template}' contains the placeholder '{${match[1]}}'; only '{label}' is filled in.`,
      });
    }
  }
}

/** Drops repeated prompts, keeping first occurrences, so a repeat does not weigh twice in the mean. */
function unique(texts: string[]): string[] {
  return [...new Set(texts)];
}
