// `tierc compile SPEC --target ir|onnx|tfjs [-o DIR] [--model NAME]`. The `ir` target prints the
// IR listing of each model, or writes NAME.ir.txt into DIR. The `onnx` and `tfjs` targets write
// their files into DIR (default `build/`). The `onnx` target embeds the weights of `--weights`
// (a safetensors file or checkpoint folder), else seeded initial weights, and takes `--opset`
// and `--graphs`.
// Each model's files go to DIR/<model>/. Each file goes to a temporary name first and is then
// renamed, so no half-written file is left. A tfjs program written where the 'tierc' package
// does not resolve gets a package.json and a note on how to run it. Exit codes: 0 ok, 1 errors in the spec, checkpoint or output folder, 2 usage error.
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { noModelMessage } from '../../check/frontend/empty.js';
import { compile, type Artifact, type CompileTarget } from '../../compile.js';
import type { OnnxGraphName } from '../../config/index.js';
import { renderDiagnostics } from '../../diagnostics/index.js';
import { nodeHost } from '../../driver/index.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode, useColor } from '../io.js';
import { makeFolder, outputFolderProblem } from '../output-folder.js';
import { errorNaming, removeTemporary, temporaryPath } from '../../driver/temporary.js';
import { programSetup } from '../tfjs-package.js';
import { checkedText, integerOption, SEED_RANGE } from '../options.js';
import { MAX_OPSET, MIN_OPSET } from '../../backends/onnx/versions.js';

interface CompileFlags {
  target: CompileTarget;
  out?: string;
  model?: string;
  seed?: string;
  weights?: string;
  opset?: string;
  graphs?: string;
}

/** Writes every artifact under `folder`; returns the error message when a write fails. */
export function writeArtifacts(folder: string, artifacts: readonly Artifact[]): string | undefined {
  const written: Array<[string, string]> = [];
  let current: [string, string] | undefined;
  try {
    for (const artifact of artifacts) {
      const target = join(folder, artifact.path);
      makeFolder(dirname(target));
      current = [temporaryPath(target), target];
      written.push(current);
      writeFileSync(current[0], artifact.bytes ?? artifact.text ?? '');
    }
    for (const pair of written) {
      current = pair;
      renameSync(pair[0], pair[1]);
    }
    return undefined;
  } catch (error) {
    for (const [temporary] of written) removeTemporary(temporary);
    const named = current === undefined ? error : errorNaming(error, current[0], current[1]);
    return named instanceof Error ? named.message : String(named);
  }
}

async function runCompile(spec: string, flags: CompileFlags, context: CliContext): Promise<void> {
  const { io } = context;
  const seed = flags.seed === undefined ? undefined : Number(flags.seed);
  if (seed !== undefined && !Number.isInteger(seed)) {
    io.stderr(`tierc compile: --seed takes a whole number, got '${flags.seed}'.\n`);
    context.setExitCode(ExitCode.usage);
    return;
  }
  const opset = flags.opset === undefined ? undefined : Number(flags.opset);
  if (opset !== undefined && !Number.isInteger(opset)) {
    io.stderr(`tierc compile: --opset takes a whole number, got '${flags.opset}'.\n`);
    context.setExitCode(ExitCode.usage);
    return;
  }
  if ((flags.weights !== undefined || opset !== undefined || flags.graphs !== undefined) && flags.target !== 'onnx') {
    io.stderr(`tierc compile: --weights, --opset and --graphs apply to --target onnx only.\n`);
    context.setExitCode(ExitCode.usage);
    return;
  }
  const folder = resolve(io.cwd, flags.out ?? 'build');
  if (flags.target !== 'ir' || flags.out !== undefined) {
    const problem = outputFolderProblem(folder);
    if (problem !== undefined) {
      io.stderr(`tierc compile: ${problem}\n`);
      context.setExitCode(ExitCode.inputError);
      return;
    }
  }
  const request = {
    target: flags.target,
    ...(flags.model === undefined ? {} : { model: flags.model }),
    ...(seed === undefined ? {} : { seed }),
    ...(flags.weights === undefined ? {} : { weights: flags.weights }),
    ...(opset === undefined ? {} : { opset }),
    ...(flags.graphs === undefined ? {} : { graphs: flags.graphs.split(',').map((graph) => graph.trim()) as OnnxGraphName[] }),
  };
  const result = await compile({ entry: spec, host: nodeHost(io.cwd), cwd: io.cwd }, request);
  if (result.diagnostics.length > 0) io.stderr(renderDiagnostics(result.diagnostics, { sources: (file) => result.sources.get(file), color: useColor(io) }));
  if (!result.ok) {
    context.setExitCode(ExitCode.inputError);
    return;
  }
  if (result.models.length === 0) {
    io.stderr(`tierc compile: ${noModelMessage(spec)}\n`);
    context.setExitCode(ExitCode.inputError);
    return;
  }
  if (flags.target === 'ir' && flags.out === undefined) {
    io.stdout(result.artifacts.map((artifact) => artifact.text ?? '').join('\n'));
    context.setExitCode(ExitCode.ok);
    return;
  }
  const setup = flags.target === 'tfjs' ? programSetup(folder, result.artifacts) : { packages: [], notes: [] };
  const artifacts = [...result.artifacts, ...setup.packages];
  const failure = writeArtifacts(folder, artifacts);
  if (failure !== undefined) {
    io.stderr(`tierc compile: cannot write into '${folder}': ${failure}\n`);
    context.setExitCode(ExitCode.inputError);
    return;
  }
  for (const artifact of artifacts) io.stdout(`wrote ${join(folder, artifact.path)}\n`);
  for (const note of setup.notes) io.stderr(note);
  context.setExitCode(ExitCode.ok);
}

export const compileCommand: CliCommand = {
  register(program: Command, context: CliContext) {
    program
      .command('compile')
      .description('Compile a .tier spec to its IR listing, ONNX graphs or a TensorFlow.js training program.')
      .argument('<spec>', '.tier spec file')
      .addOption(new Option('--target <target>', 'what to emit').choices(['ir', 'onnx', 'tfjs']).makeOptionMandatory())
      .option('-o, --out <dir>', 'output folder: each model\'s files go to DIR/<model>/ (default: build/; ir prints to stdout without it)')
      .option('--model <name>', 'compile only this model')
      .option('--weights <checkpoint>', 'onnx: embed the weights of this safetensors file, checkpoint folder or run folder; a run folder picks its best checkpoint by the run\'s keep-best metric, else its newest (default: the export block\'s checkpoint, else seeded initial weights)')
      .option('--opset <n>', 'onnx: opset from 13 to 21 (default: the export block\'s opset, else 17)', checkedText(integerOption({ min: MIN_OPSET, max: MAX_OPSET })))
      .option('--graphs <list>', 'onnx: comma-separated graphs to write, such as image_tower,zeroshot (default: the export block\'s graphs)')
      .option('--seed <n>', 'seed of the initial weights in ONNX graphs without a checkpoint (default: the train seed, else 0)', checkedText(integerOption(SEED_RANGE)))
      .action((spec: string, flags: CompileFlags) => runCompile(spec, flags, context));
  },
};
