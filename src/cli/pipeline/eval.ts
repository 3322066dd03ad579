// `tierc eval SPEC --weights CKPT…`: evaluates checkpoints of a spec's model on an eval
// block's split (zero-shot AUROC ensembled over the checkpoints, localization, token entropy),
// prints the tables and writes eval.json, heatmaps.json, similarity.json and eval-summary.json
// into the run folder.
import { writeAtomically } from '../../report/files.js';
import { evaluateSpec, loadSpecPlan, type EvalSpecResult, type SpecPlan } from '../../pipeline/index.js';
import type { BackendName } from '../../runtime/backend.js';
import type { CliContext } from '../command.js';
import { formatAurocTable } from '../commands/eval.js';
import { ExitCode } from '../io.js';
import { guardPipeline, reportDiagnostics } from './errors.js';
import { resolve } from 'node:path';

export interface SpecEvalFlags {
  weights?: string[];
  eval?: string;
  model?: string;
  run?: string;
  backend?: BackendName;
  output?: string;
  json?: boolean;
  /** Resamples of the bootstrap intervals, already checked by the option parser; 0 turns them off. */
  bootstrap?: number;
}

/** Runs the spec-driven evaluation and prints its tables (or JSON with --json). */
export async function runSpecEvaluation(spec: string, flags: SpecEvalFlags, context: CliContext): Promise<void> {
  const { io } = context;
  if (flags.weights === undefined || flags.weights.length === 0) {
    io.stderr('tierc eval: evaluating a spec needs --weights with one or more checkpoint folders or run folders.\n');
    context.setExitCode(ExitCode.usage);
    return;
  }
  // A bootstrap count of 0 turns the confidence intervals off.
  let bootstrap: number | false | undefined = flags.bootstrap;
  if (bootstrap === 0) bootstrap = false;
  let plan: SpecPlan | undefined;
  await guardPipeline(context, () => plan?.checked.sources ?? new Map(), async () => {
    plan = loadSpecPlan(spec, { cwd: io.cwd, ...(flags.model !== undefined ? { model: flags.model } : {}) });
    reportDiagnostics(context, plan.checked.diagnostics, plan.checked.sources);
    const result = await evaluateSpec(plan, {
      cwd: io.cwd,
      weights: flags.weights as string[],
      ...(flags.eval !== undefined ? { eval: flags.eval } : {}),
      ...(flags.run !== undefined ? { outDir: flags.run } : {}),
      ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
      ...(bootstrap !== undefined ? { bootstrap } : {}),
      onDiagnostic: (diagnostic) => reportDiagnostics(context, [diagnostic], plan?.checked.sources),
    });
    const json = `${JSON.stringify(result, null, 2)}\n`;
    if (flags.output !== undefined) writeAtomically(resolve(io.cwd, flags.output), json);
    io.stdout(flags.json === true ? json : formatSpecEvaluation(result));
    for (const warning of result.table.warnings) io.stderr(`warning: ${warning.message}\n`);
    context.setExitCode(ExitCode.ok);
  });
}

/** Formats the AUROC table, the localization table and the entropy lines as aligned text. */
export function formatSpecEvaluation(result: EvalSpecResult): string {
  const lines: string[] = [];
  lines.push(`Zero-shot evaluation of '${result.model}' on eval '${result.eval}' (split '${result.split}', ${result.images} images, ${result.checkpoints.length} checkpoint${result.checkpoints.length === 1 ? '' : 's'}, tfjs-${result.backend})`);
  for (const used of result.checkpointsUsed) {
    const details = [used.step === null ? undefined : `step ${used.step}`, used.choice === null ? undefined : `${used.choice} in its run`].filter((part) => part !== undefined);
    lines.push(`checkpoint ${used.path}${details.length > 0 ? ` (${details.join(', ')})` : ''}`);
  }
  lines.push('');
  lines.push(formatAurocTable(result.table).trimEnd(), '');
  if (result.localization.length > 0) {
    const header = ['label', 'images', 'pointing game', 'mask hit rate'];
    const rows = result.localization.map((entry) => [entry.label, String(entry.images), fixed(entry.pointingGame), fixed(entry.hitRate)]);
    rows.push(['mean', '', fixed(result.meanPointingGame), fixed(result.meanHitRate)]);
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
    const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number))).join('  ');
    lines.push(line(header), ...rows.map(line), '');
  } else {
    lines.push('No label has masks in this split, so localization is not scored.', '');
  }
  const { model, cosine } = result.entropy;
  if (model !== undefined) lines.push(`token-to-patch entropy (model similarity): mean ${model.mean.toFixed(4)} ± ${model.std.toFixed(4)} nats over ${model.tokens} tokens; uniform ln ${Math.round(Math.exp(model.uniform))} = ${model.uniform.toFixed(4)}`);
  if (cosine !== undefined) lines.push(`token-to-patch entropy (cosines, temperature 1): mean ${cosine.mean.toFixed(4)} ± ${cosine.std.toFixed(4)} nats`);
  lines.push(`wrote eval.json, heatmaps.json, similarity.json and eval-summary.json to ${result.outDir}`);
  return `${lines.join('\n')}\n`;
}

function fixed(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(3);
}
