// `tierc run MODEL.onnx --image FILE…` runs an exported image_tower or zeroshot graph in
// onnxruntime-node. It prints each image's embeddings (first values and L2 norm) or its
// zero-shot score per label, and `--json` prints the full result.
import path from 'node:path';
import type { Command } from 'commander';
import { OnnxRunError, runOnnxImages, type RunResult } from '../../backends/onnx/run.js';
import { DataError } from '../../data/index.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode } from '../io.js';
import { checkedText, integerOption } from '../options.js';

interface RunFlags {
  image: string[];
  json?: boolean;
  first: string;
}

async function runModel(model: string, flags: RunFlags, context: CliContext): Promise<void> {
  const { io } = context;
  const first = Number(flags.first);
  if (!Number.isInteger(first) || first < 1) {
    io.stderr(`tierc run: --first must be a positive integer, but it is '${flags.first}'.\n`);
    context.setExitCode(ExitCode.usage);
    return;
  }
  let result: RunResult;
  try {
    result = await runOnnxImages(path.resolve(io.cwd, model), flags.image.map((file) => path.resolve(io.cwd, file)), { first });
  } catch (error) {
    if (!(error instanceof OnnxRunError || error instanceof DataError)) throw error;
    io.stderr(`tierc run: ${error.message}\n`);
    context.setExitCode(ExitCode.inputError);
    return;
  }
  const shown = { ...result, images: flags.image };
  io.stdout(flags.json ? `${JSON.stringify(shown, null, 2)}\n` : formatRun(shown));
}

export function formatRun(result: RunResult): string {
  const lines = [`graph ${result.graph}, ${result.images.length} image(s), preprocessing: ${result.preprocessing}`];
  result.images.forEach((image, i) => {
    lines.push(image);
    if (result.scores) {
      const width = Math.max(...result.scores.labels.map((label) => label.length));
      result.scores.labels.forEach((label, k) => lines.push(`  ${label.padEnd(width)}  ${result.scores!.rows[i]![k]!.toFixed(4)}`));
      return;
    }
    for (const output of result.outputs) {
      const summary = output.images[i]!;
      const values = summary.first.map((v) => v.toFixed(4)).join(', ');
      lines.push(`  ${output.name} [${output.shape.slice(1).join(', ')}]: ${values}${summary.values.length > summary.first.length ? ', …' : ''}  norm ${summary.norm.toFixed(4)}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

export const runCommand: CliCommand = {
  register(program: Command, context: CliContext): void {
    program
      .command('run')
      .description('Run an exported image_tower or zeroshot ONNX graph on image files and print embeddings or zero-shot scores.')
      .argument('<model>', 'the .onnx file')
      .requiredOption('--image <files...>', 'PNG, JPEG or DICOM images, preprocessed with the pipeline in the model metadata')
      .option('--first <n>', 'how many leading embedding values to print per output', checkedText(integerOption({ min: 1 })), '4')
      .option('--json', 'print the full result as JSON')
      .action((model: string, flags: RunFlags) => runModel(model, flags, context));
  },
};
