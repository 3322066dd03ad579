// `tierc data check` reads every row of a manifest and reports what would break training;
// `tierc data phantom` writes the synthetic chest radiograph dataset.
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { Option, type Command } from 'commander';
import { checkDataset, contactSheet, formatIssue, generatePhantom, synthesizePhantom, type DataCheckReport, type DataIssue } from '../../data/index.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode, type CliIo } from '../io.js';
import { BLANK_HELP, integerOption, SEED_RANGE } from '../options.js';
import { guarded } from '../guard.js';
import { errorNaming, temporaryPath } from '../../driver/temporary.js';

/** Creates a progress bar on stderr that is shown only when the output is a terminal. */
export function progressBar(io: CliIo, label: string): { update(done: number, total: number): void; stop(): void } {
  if (!io.isTTY) return { update: () => undefined, stop: () => undefined };
  const stream = { isTTY: true, columns: 80, write: (text: string) => (io.stderr(text), true) } as unknown as NodeJS.WritableStream;
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total}`, stream, hideCursor: false, clearOnComplete: true });
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

interface CheckFlags {
  // Required without a spec; runCheck rejects their absence with a usage error.
  manifest: string;
  root: string;
  imageColumn: string;
  textColumn: string;
  labels?: string;
  uncertain: 'positive' | 'negative' | 'ignore';
  blank: 'negative' | 'ignore';
  splitColumn?: string;
  section?: string;
  tokenizer?: string;
  maxLen: number;
  onMissing: 'fail' | 'skip';
  channels: string;
  maxDimension: number;
  json?: boolean;
}

function listFlag(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

async function runCheck(flags: CheckFlags, context: CliContext): Promise<void> {
  const { io } = context;
  const missing = (['manifest', 'root', 'imageColumn', 'textColumn'] as const).filter((name) => (flags[name] as string | undefined) === undefined);
  if (missing.length > 0) {
    const names = missing.map((name) => `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`).join(', ');
    io.stderr(`tierc data check: pass a spec, or the options ${names}.\n`);
    context.setExitCode(ExitCode.usage);
    return;
  }
  const resolve = (file: string): string => path.resolve(io.cwd, file);
  const labels = listFlag(flags.labels);
  const section = listFlag(flags.section);
  const bar = flags.json ? progressBar({ ...io, isTTY: false }, '') : progressBar(io, 'checking');
  const report = await checkDataset(
    {
      manifest: {
        manifest: resolve(flags.manifest),
        image: { column: flags.imageColumn, root: resolve(flags.root) },
        text: { column: flags.textColumn, ...(section !== undefined ? { section } : {}) },
        ...(labels !== undefined ? { labels: { columns: labels, uncertain: flags.uncertain, blank: flags.blank } } : {}),
        ...(flags.splitColumn !== undefined ? { split: { column: flags.splitColumn } } : {}),
      },
      ...(flags.tokenizer !== undefined ? { tokenizer: { path: resolve(flags.tokenizer), maxLen: flags.maxLen } } : {}),
      image: { channels: flags.channels === '3' ? 3 : 1, maxDimension: flags.maxDimension },
      onMissing: flags.onMissing,
    },
    (done, total) => bar.update(done, total),
  );
  bar.stop();
  if (flags.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(renderReport(report));
  context.setExitCode(report.failsTraining ? ExitCode.inputError : ExitCode.ok);
}

/** Formats a check report for people. */
export function renderReport(report: DataCheckReport): string {
  const lines: string[] = [];
  const issues = (title: string, list: DataIssue[]): void => {
    if (list.length === 0) return;
    lines.push(`${title} (${list.length}):`);
    for (const issue of list.slice(0, 50)) lines.push(`  ${formatIssue(issue)}`);
    if (list.length > 50) lines.push(`  ... and ${list.length - 50} more (use --json for the full list)`);
  };
  lines.push(`${report.manifest}: ${report.rows} rows, ${report.usableRows} usable`);
  const splits = Object.entries(report.splits).map(([name, count]) => `${name} ${count}`);
  if (splits.length > 0) lines.push(`splits: ${splits.join(', ')}`);
  const { width, height } = report.images;
  if (width !== null && height !== null) {
    const formats = Object.entries(report.images.formats).map(([name, count]) => `${name} ${count}`).join(', ');
    lines.push(`images: ${width.count} decoded (${formats}); width ${width.min}–${width.max} (median ${width.median}), height ${height.min}–${height.max} (median ${height.median})`);
  }
  for (const [name, counts] of Object.entries(report.labels)) lines.push(`label '${name}': ${counts.positive} positive, ${counts.negative} negative, ${counts.unknown} unknown`);
  if (report.tokens !== null) {
    const t = report.tokens;
    lines.push(`tokens: ${t.min}–${t.max} (mean ${t.mean.toFixed(1)}, median ${t.median}, 95th percentile ${t.p95}); ${t.truncated} longer than ${t.maxLen}`);
  }
  issues('errors', report.errors);
  issues('warnings', report.warnings);
  issues('skipped rows', report.skipped);
  lines.push(report.failsTraining ? 'The dataset has errors that would stop training.' : 'The dataset is ready for training.');
  return `${lines.join('\n')}\n`;
}

interface PhantomFlags {
  n: number;
  size: number;
  seed: number;
  output: string;
  force?: boolean;
  contactSheet?: string;
  json?: boolean;
}

async function runPhantom(flags: PhantomFlags, context: CliContext): Promise<void> {
  const { io } = context;
  const numbers = { n: flags.n, size: flags.size, seed: flags.seed };
  const bar = flags.json ? progressBar({ ...io, isTTY: false }, '') : progressBar(io, 'writing');
  const outDir = path.resolve(io.cwd, flags.output);
  let summary: Awaited<ReturnType<typeof generatePhantom>>;
  try {
    summary = await generatePhantom({ ...numbers, outDir, force: Boolean(flags.force) }, (done, total) => bar.update(done, total));
  } catch (error) {
    // Errors name the folder as given with -o, not its absolute form.
    throw errorNaming(error, outDir, flags.output);
  } finally {
    bar.stop();
  }
  if (flags.contactSheet !== undefined) {
    const target = path.resolve(io.cwd, flags.contactSheet);
    const temporary = temporaryPath(target, 'partial');
    // The sheet shows the first 24 images; regenerating them from the seed is cheaper than reading the files back.
    const images = synthesizePhantom({ n: Math.min(24, numbers.n), size: numbers.size, seed: numbers.seed });
    try {
      await writeFile(temporary, await contactSheet(images, numbers.size));
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw errorNaming(errorNaming(error, temporary, target), target, flags.contactSheet);
    }
  }
  if (flags.json) {
    io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const positives = Object.entries(summary.positives).map(([name, count]) => `${name} ${count}`).join(', ');
  const splits = Object.entries(summary.splits).map(([name, count]) => `${name} ${count}`).join(', ');
  io.stdout(`Wrote ${summary.images} synthetic ${summary.size}×${summary.size} images of ${summary.patients} patients to ${summary.outDir}\n`);
  io.stdout(`splits: ${splits}\npositives: ${positives}; ${summary.normal} without findings\nvocab.txt: ${summary.vocabSize} tokens\n`);
}

export const dataCommand: CliCommand = {
  register(program: Command, context: CliContext): void {
    const data = program.command('data').description('Check datasets and generate the synthetic chest radiograph phantom.');
    data
      .command('check')
      .description('Read every row of a manifest and report what would stop training, with row numbers.')
      .argument('[spec]', 'a .tier spec: check the data of its data and preprocess blocks instead of the options below')
      .option('--manifest <file>', 'CSV or JSONL manifest (required without a spec)')
      .option('--root <dir>', 'folder that image paths are relative to (required without a spec)')
      .option('--image-column <name>', 'column with the image path (required without a spec)')
      .option('--text-column <name>', 'column with the report text (required without a spec)')
      .option('--labels <names>', 'comma-separated label columns (values 1, 0, -1 uncertain, blank)')
      .addOption(new Option('--uncertain <policy>', 'meaning of -1 labels').choices(['positive', 'negative', 'ignore']).default('ignore'))
      .addOption(new Option('--blank <policy>', BLANK_HELP).choices(['negative', 'ignore']).default('negative'))
      .option('--split-column <name>', 'column with the split name (train, validate, test)')
      .option('--section <names>', 'report sections to keep, in order of preference, for example impression,findings')
      .option('--tokenizer <file>', 'vocab.txt or tokenizer.json, to measure token lengths')
      .option('--max-len <n>', 'maximum tokens per report, special tokens included', integerOption({ min: 1 }), 128)
      .addOption(new Option('--on-missing <policy>', 'fail, or skip rows whose image is missing or unreadable').choices(['fail', 'skip']).default('fail'))
      .addOption(new Option('--channels <n>', 'channels the model reads').choices(['1', '3']).default('1'))
      .option('--max-dimension <pixels>', 'largest image width or height accepted, in pixels', integerOption({ min: 1 }), 16384)
      .option('--json', 'print the report as JSON')
      .action(async (spec: string | undefined, flags: CheckFlags) => {
        if (spec === undefined) return guarded(context, () => runCheck(flags, context));
        // The spec form needs the training pipeline (and TensorFlow.js), so it loads on demand.
        const { runSpecDataCheck } = await import('../pipeline/data-check.js');
        return runSpecDataCheck(spec, flags, context);
      });
    data
      .command('phantom')
      .description('Write the synthetic chest radiograph phantom: images, finding masks, reports, manifest.csv and vocab.txt.')
      .option('--n <count>', 'number of images', integerOption({ min: 1 }), 600)
      .option('--size <pixels>', 'image width and height, from 32 to 2048', integerOption({ min: 32, max: 2048 }), 128)
      .option('--seed <k>', 'random seed; the same seed writes the same bytes', integerOption(SEED_RANGE), 1)
      .requiredOption('-o, --output <dir>', 'output folder')
      .option('--force', 'replace the output folder if it is not empty')
      .option('--contact-sheet <file>', 'also write a PNG contact sheet of the first 24 images with finding outlines')
      .option('--json', 'print the summary as JSON')
      .action((flags: PhantomFlags) => guarded(context, () => runPhantom(flags, context)));
  },
};
