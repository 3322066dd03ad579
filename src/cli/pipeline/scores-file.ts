// The `--scores` file of `tierc eval`: reads it, checks its optional "policy" and "bootstrap"
// objects key by key, and accepts "bootstrap" as a plain number of resamples. The report layer's
// parser checks "labels" and "scores".
import { EvalError, type BootstrapOptions, type LabelPolicy } from '../../eval/index.js';
import { describeJson, readJson } from '../../report/files.js';
import { parseScoresInput, type ScoresInput } from '../../report/scores.js';

/** The file's keys, for `tierc eval --help`. */
export const SCORES_FILE_HELP = `
The --scores file is one JSON object:
  "labels"     {NAME: [1, 0, -1, null, ...]}  required: 1 positive, 0 negative, -1 uncertain,
               null or "" blank
  "scores"     {NAME: [number or null, ...]}  required: one score per image, in label order
  "policy"     optional {"uncertain": "ignore" | "positive" | "negative",
               "blank": "negative" | "ignore", "masked": [numbers that mark an entry left out]}
  "bootstrap"  optional: a number of resamples (0 = no intervals), true for 1000, or
               {"resamples": 1000, "seed": 0, "confidence": 0.95, "strategy": "stratified" | "plain"}
The command-line options override the file.
`;

const POLICY_KEYS = ['uncertain', 'blank', 'masked'];
const BOOTSTRAP_KEYS = ['resamples', 'seed', 'confidence', 'strategy'];

export interface ScoresFile {
  input: ScoresInput;
  /** The file's bootstrap request: options, false for none, undefined when the file has no "bootstrap". */
  bootstrap: BootstrapOptions | false | undefined;
}

function invalid(file: string, location: string, message: string): EvalError {
  return new EvalError({ code: 'TIER7030', file, location, message });
}

function checkKeys(object: Record<string, unknown>, known: readonly string[], file: string, location: string): void {
  const unknown = Object.keys(object).find((key) => !known.includes(key));
  if (unknown !== undefined) throw invalid(file, `${location}.${unknown}`, `Unknown key '${unknown}'; the keys of "${location}" are ${known.map((key) => `'${key}'`).join(', ')}.`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the "bootstrap" value: a count, a boolean or an options object. */
export function parseBootstrap(value: unknown, file: string): BootstrapOptions | false {
  if (value === false || value === 0) return false;
  if (value === true) return {};
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw invalid(file, 'bootstrap', `Expected a whole number of resamples of at least 0, found ${describeJson(value)}.`);
    return { resamples: value };
  }
  if (!isObject(value)) throw invalid(file, 'bootstrap', `Expected a number of resamples, true, false or an object, found ${describeJson(value)}.`);
  checkKeys(value, BOOTSTRAP_KEYS, file, 'bootstrap');
  const options: BootstrapOptions = {};
  const { resamples, seed, confidence, strategy } = value;
  if (resamples !== undefined) {
    if (typeof resamples !== 'number' || !Number.isSafeInteger(resamples) || resamples < 1) throw invalid(file, 'bootstrap.resamples', `Expected a whole number of at least 1, found ${describeJson(resamples)}.`);
    options.resamples = resamples;
  }
  if (seed !== undefined) {
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) throw invalid(file, 'bootstrap.seed', `Expected a whole number of at least 0, found ${describeJson(seed)}.`);
    options.seed = seed;
  }
  if (confidence !== undefined) {
    if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) throw invalid(file, 'bootstrap.confidence', `Expected a number above 0 and below 1, found ${describeJson(confidence)}.`);
    options.confidence = confidence;
  }
  if (strategy !== undefined) {
    if (strategy !== 'stratified' && strategy !== 'plain') throw invalid(file, 'bootstrap.strategy', `Expected "stratified" or "plain", found ${describeJson(strategy)}.`);
    options.strategy = strategy;
  }
  return options;
}

/** Reads and checks one scores file. */
export function readScoresFile(file: string): ScoresFile {
  const value = readJson(file, 'TIER7030');
  if (!isObject(value)) return { input: parseScoresInput(value, file), bootstrap: undefined };
  const { bootstrap, ...rest } = value;
  if (isObject(rest.policy)) checkKeys(rest.policy, POLICY_KEYS, file, 'policy');
  const input = parseScoresInput(rest, file);
  return { input, bootstrap: bootstrap === undefined ? undefined : parseBootstrap(bootstrap, file) };
}

/** Adds the CLI's default to a scores file's label policy: blank cells count as negative, as in `tierc data check`. */
export function policyWithDefaults(policy: LabelPolicy | undefined): LabelPolicy {
  return { blank: 'negative', ...policy };
}
