// `tierc report --run DIR -o report.html` builds one self-contained HTML page from a run
// directory (settings.json, metrics.jsonl, eval.json, heatmaps.json, similarity.json).
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { EvalError, formatEvalIssue } from '../../eval/index.js';
import { writeReport } from '../../report/index.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode } from '../io.js';
import { integerOption } from '../options.js';

interface ReportFlags {
  run: string;
  output: string;
  title?: string;
  overlaySize: number;
  json?: boolean;
}

async function runReport(flags: ReportFlags, context: CliContext): Promise<void> {
  const { io } = context;
  const { overlaySize } = flags;
  const runFolder = path.resolve(io.cwd, flags.run);
  const problem = runFolderProblem(runFolder);
  if (problem !== undefined) {
    io.stderr(`tierc report: ${problem}\n`);
    context.setExitCode(ExitCode.inputError);
    return;
  }
  const output = path.resolve(io.cwd, flags.output);
  try {
    const report = await writeReport(runFolder, output, {
      overlaySize,
      ...(flags.title === undefined ? {} : { title: flags.title }),
    });
    const bytes = Buffer.byteLength(report.html);
    if (flags.json === true) {
      io.stdout(`${JSON.stringify({ output: flags.output, bytes, sections: report.sections, warnings: report.warnings }, null, 2)}\n`);
    } else {
      io.stdout(`Wrote ${flags.output} (${(bytes / 1024).toFixed(0)} KiB): ${report.sections.join(', ')}.\n`);
    }
    for (const warning of report.warnings) io.stderr(`warning: ${formatEvalIssue(warning)}\n`);
  } catch (error) {
    if (!(error instanceof EvalError)) throw error;
    io.stderr(`tierc report: ${error.message}\n`);
    context.setExitCode(ExitCode.inputError);
  }
}

/** Describes why `folder` cannot be a run folder: missing, or not a folder; undefined when it is one. */
function runFolderProblem(folder: string): string | undefined {
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    return `The run folder '${folder}' does not exist; pass the folder that 'tierc train' wrote, such as runs/MODEL.`;
  }
  return isFolder ? undefined : `The run folder '${folder}' is a file, not a folder; pass the folder that 'tierc train' wrote, such as runs/MODEL.`;
}

export const reportCommand: CliCommand = {
  register(program: Command, context: CliContext) {
    program
      .command('report')
      .description('Build a self-contained HTML report (AUROC, curves, heatmaps, similarities) from a run directory.')
      .requiredOption('--run <dir>', 'run directory with settings.json and optional metrics.jsonl, eval.json, heatmaps.json, similarity.json')
      .requiredOption('-o, --output <file>', 'HTML file to write')
      .option('--title <text>', 'page title (default "tierc report: SPEC NAME")')
      .option('--overlay-size <pixels>', 'side of each heatmap image in pixels, from 32 to 2048', integerOption({ min: 32, max: 2048 }), 256)
      .option('--json', 'print a JSON summary of the sections and warnings')
      .action(async (flags: ReportFlags) => runReport(flags, context));
  },
};
