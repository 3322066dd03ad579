// `tierc report --run DIR -o report.html` builds one self-contained HTML page from a run
// directory (settings.json, metrics.jsonl, eval.json, heatmaps.json, similarity.json).
import path from 'node:path';
import type { Command } from 'commander';
import { EvalError, formatEvalIssue } from '../../eval/index.js';
import { writeReport } from '../../report/index.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode } from '../io.js';

interface ReportFlags {
  run: string;
  output: string;
  title?: string;
  overlaySize?: string;
  json?: boolean;
}

async function runReport(flags: ReportFlags, context: CliContext): Promise<void> {
  const { io } = context;
  const overlaySize = flags.overlaySize === undefined ? 256 : Number(flags.overlaySize);
  if (!Number.isInteger(overlaySize) || overlaySize < 32 || overlaySize > 2048) {
    io.stderr(`tierc report: --overlay-size must be an integer from 32 to 2048 pixels, but it is '${flags.overlaySize}'.\n`);
    context.setExitCode(ExitCode.usage);
    return;
  }
  const output = path.resolve(io.cwd, flags.output);
  try {
    const report = await writeReport(path.resolve(io.cwd, flags.run), output, {
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

export const reportCommand: CliCommand = {
  register(program: Command, context: CliContext) {
    program
      .command('report')
      .description('Build a self-contained HTML report (AUROC, curves, heatmaps, similarities) from a run directory.')
      .requiredOption('--run <dir>', 'run directory with settings.json and optional metrics.jsonl, eval.json, heatmaps.json, similarity.json')
      .requiredOption('-o, --output <file>', 'HTML file to write')
      .option('--title <text>', 'page title (default "tierc report: SPEC NAME")')
      .option('--overlay-size <pixels>', 'side of each heatmap image in pixels (default 256)')
      .option('--json', 'print a JSON summary of the sections and warnings')
      .action(async (flags: ReportFlags) => runReport(flags, context));
  },
};
