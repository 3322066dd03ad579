// `tierc eval --scores FILE.json…` computes the zero-shot AUROC table (per label, bootstrap
// intervals, macro mean) from precomputed scores and labels, prints it and writes it as JSON.
// Several files, one per checkpoint, are ensembled by averaging their scores.
// The spec-driven form `tierc eval SPEC --weights CKPT…` embeds images and prompts with the
// tfjs forward pass and calls `evaluateZeroShot` (cli/pipeline/eval.ts).
import path from 'node:path';
import { Option, type Command } from 'commander';
import { EvalError, formatEvalIssue, type AurocTable, type BootstrapOptions, type ConfidenceInterval, type LabelPolicy } from '../../eval/index.js';
import { aurocFormat, ensembleScoresInputs, tableFromScores, type ScoresInput } from '../../report/scores.js';
import { writeAtomically } from '../../report/files.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode } from '../io.js';
import type { BackendName } from '../../runtime/backend-names.js';
import { backendOption, BLANK_HELP, integerOption, numberOption, SEED_RANGE } from '../options.js';
import { policyWithDefaults, readScoresFile, SCORES_FILE_HELP } from '../pipeline/scores-file.js';

interface EvalFlags {
  scores?: string[];
  eval?: string;
  model?: string;
  run?: string;
  backend?: BackendName;
  weights?: string[];
  output?: string;
  json?: boolean;
  bootstrap?: number;
  seed?: number;
  confidence?: number;
  strategy?: 'stratified' | 'plain';
  uncertain?: 'ignore' | 'positive' | 'negative';
  blank?: 'ignore' | 'negative';
}

async function runEval(spec: string | undefined, flags: EvalFlags, context: CliContext): Promise<void> {
  const { io } = context;
  if (spec !== undefined && flags.scores === undefined) {
    // The eval block and the data block's label policy set these for a spec.
    const scoresOnly = (['seed', 'confidence', 'strategy', 'uncertain', 'blank'] as const).filter((name) => flags[name] !== undefined);
    if (scoresOnly.length > 0) {
      const names = scoresOnly.map((name) => `--${name}`).join(', ');
      io.stderr(`tierc eval: ${names} ${scoresOnly.length === 1 ? 'applies' : 'apply'} to --scores files only; with a spec, set them in its eval block and the data block's 'labels'.\n`);
      context.setExitCode(ExitCode.usage);
      return;
    }
    // Only the spec form runs the tfjs forward pass, so its module loads here and not for --scores.
    const { runSpecEvaluation } = await import('../pipeline/eval.js');
    await runSpecEvaluation(spec, flags, context);
    return;
  }
  if (flags.scores === undefined || spec !== undefined || flags.weights !== undefined) {
    const what = spec !== undefined ? 'A spec and --scores cannot be combined' : flags.weights !== undefined ? '--weights needs a spec' : 'No scores file or spec was given';
    io.stderr(`tierc eval: ${what}. Pass a spec with --weights CKPT, or --scores FILE.json with {"labels": {NAME: [...]}, "scores": {NAME: [...]}}.\n`);
    context.setExitCode(ExitCode.usage);
    return;
  }
  const files = flags.scores.map((name) => path.resolve(io.cwd, name));
  const file = files[0] as string;
  try {
    const read = files.map((name) => readScoresFile(name));
    const inputs = read.map((entry) => entry.input);
    const input = inputs.length === 1 ? (inputs[0] as ScoresInput) : ensembleScoresInputs(inputs, files);
    const policy: LabelPolicy = policyWithDefaults(input.policy);
    if (flags.uncertain !== undefined) policy.uncertain = flags.uncertain;
    if (flags.blank !== undefined) policy.blank = flags.blank;
    // Like the policy, the bootstrap settings come from the first file.
    const bootstrap = bootstrapRequest(flags, read[0]?.bootstrap);
    if (typeof bootstrap === 'string') {
      io.stderr(`tierc eval: ${bootstrap}\n`);
      context.setExitCode(ExitCode.usage);
      return;
    }
    const table = tableFromScores({ ...input, policy }, file, bootstrap);
    const result = { format: aurocFormat, source: flags.scores.length === 1 ? flags.scores[0] : flags.scores, table };
    const text = `${JSON.stringify(result, null, 2)}\n`;
    if (flags.output !== undefined) writeAtomically(path.resolve(io.cwd, flags.output), text);
    io.stdout(flags.json === true ? text : formatAurocTable(table));
    for (const warning of table.warnings) io.stderr(`warning: ${formatEvalIssue(warning)}\n`);
  } catch (error) {
    if (!(error instanceof EvalError)) throw error;
    io.stderr(`tierc eval: ${error.message}\n`);
    context.setExitCode(ExitCode.inputError);
  }
}

/**
 * Combines the file's bootstrap request with the flags, which override it: `--bootstrap N` sets
 * the resamples (0 turns intervals off), and `--seed`, `--confidence` and `--strategy` replace
 * single settings. Returns a usage error message when those three are given but no intervals are
 * computed.
 */
function bootstrapRequest(flags: EvalFlags, fromFile: BootstrapOptions | false | undefined): BootstrapOptions | false | string {
  let options: BootstrapOptions | false = fromFile ?? false;
  if (flags.bootstrap !== undefined) options = flags.bootstrap === 0 ? false : { ...(options === false ? {} : options), resamples: flags.bootstrap };
  const settings: BootstrapOptions = {};
  if (flags.seed !== undefined) settings.seed = flags.seed;
  if (flags.confidence !== undefined) settings.confidence = flags.confidence;
  if (flags.strategy !== undefined) settings.strategy = flags.strategy;
  if (options === false) {
    const given = Object.keys(settings).map((key) => `--${key}`);
    return given.length === 0 ? false : `${given.join(', ')} ${given.length === 1 ? 'sets' : 'set'} the bootstrap intervals, which are off; pass --bootstrap N or set "bootstrap" in the scores file.`;
  }
  return { ...options, ...settings };
}

/** Formats the AUROC table as aligned text, one label per line and the macro mean last. */
export function formatAurocTable(table: AurocTable): string {
  const confidence = table.bootstrap === null ? null : `${Math.round(table.bootstrap.confidence * 100)}% CI`;
  const header = ['label', 'pos', 'neg', 'excl', 'AUROC', ...(confidence === null ? [] : [confidence])];
  const rows: string[][] = table.rows.map((row) => {
    const interval = row.ci === undefined ? [] : [intervalText(row.ci)];
    const value = row.auroc === null ? `undefined: ${row.note ?? ''}` : row.auroc.toFixed(3);
    return [row.label, String(row.positives), String(row.negatives), String(row.excluded), value, ...interval];
  });
  const macro = table.macro;
  const macroInterval = macro.ci === undefined ? [] : [intervalText(macro.ci)];
  rows.push([`macro mean (${macro.labels.length} labels)`, '', '', '', macro.auroc === null ? 'undefined: no label has both classes' : macro.auroc.toFixed(3), ...macroInterval]);

  // Undefined cells are long sentences; they do not widen the AUROC column.
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (column === 4 && row[4]?.startsWith('undefined') ? 0 : (row[column] ?? '').length))));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === 0 || column >= 4 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number)))
      .join('  ')
      .trimEnd();
  const lines = [line(header), ...rows.map(line)];
  if (rows.some((row) => row.some((cell) => cell.endsWith('*')))) lines.push('* some resamples held one class only and were skipped; see the warnings.');
  if (macro.undefinedLabels.length > 0) lines.push(`The macro mean leaves out ${macro.undefinedLabels.join(', ')}, whose AUROC is undefined.`);
  return `${lines.join('\n')}\n`;
}

/** Formats an interval as `[lower, upper]`, marked with `*` when resamples were skipped; empty when there is none. */
function intervalText(ci: ConfidenceInterval | null): string {
  if (ci === null) return '';
  const mark = ci.skipped > 0 ? '*' : '';
  return `[${ci.lower.toFixed(3)}, ${ci.upper.toFixed(3)}]${mark}`;
}

export const evalCommand: CliCommand = {
  register(program: Command, context: CliContext) {
    program
      .command('eval')
      .description('Compute zero-shot AUROC per label with bootstrap intervals and the macro mean.')
      .argument('[spec]', 'a .tier spec: evaluate its model on an eval block\'s split (needs --weights)')
      .option('--weights <checkpoints...>', 'checkpoint folders, run folders or .safetensors files of the spec\'s model; a run folder picks its best checkpoint by the run\'s keep-best metric, else its newest; several are ensembled by averaging their scores')
      .option('--eval <name>', 'with a spec: the eval block to run (default the first)')
      .option('--model <name>', 'with a spec: the model when the spec declares several')
      .option('--run <dir>', 'with a spec: run folder for eval.json, heatmaps.json and similarity.json (default the checkpoint\'s run folder)')
      .option('--backend <name>', 'with a spec: force a tfjs backend: tensorflow-gpu, tensorflow, wasm or cpu', backendOption)
      .option('--scores <files...>', 'JSON file {"labels": {NAME: [1, 0, -1, null, ...]}, "scores": {NAME: [number, ...]}}; several files (one per checkpoint) are ensembled by averaging their scores')
      .option('-o, --output <file>', 'also write the result as JSON to this file')
      .option('--json', 'print the result as JSON instead of a table')
      .option('--bootstrap <n>', 'bootstrap resamples for confidence intervals (0 = none); overrides the file\'s "bootstrap"', integerOption({ min: 0 }))
      .option('--seed <n>', 'seed of the bootstrap resampling (default 0)', integerOption(SEED_RANGE))
      .option('--confidence <level>', 'two-sided confidence level of the intervals (default 0.95)', numberOption({ min: 0, max: 1, aboveMin: true, belowMax: true }))
      .addOption(new Option('--strategy <name>', 'resampling: by class (stratified) or over all images (plain)').choices(['stratified', 'plain']))
      .addOption(new Option('--uncertain <policy>', 'what label -1 counts as (default ignore)').choices(['ignore', 'positive', 'negative']))
      .addOption(new Option('--blank <policy>', `${BLANK_HELP} (default: the file's "policy", else negative)`).choices(['negative', 'ignore']))
      .addHelpText('after', SCORES_FILE_HELP)
      .action(async (spec: string | undefined, flags: EvalFlags) => runEval(spec, flags, context));
  },
};
