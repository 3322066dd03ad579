// `tierc verify SPEC --weights CKPT [--export DIR] [--tolerance X] [--json]` runs the model's
// ONNX graphs in onnxruntime-node and the tfjs forward pass on the same batch of the spec's
// data with the same weights. It prints the maximum absolute and relative difference of every
// output. Exit codes: 0 every output within the tolerance, 1 an output above it or an input
// error, 2 usage error.
import type { Command } from 'commander';
import { loadSpecPlan, verifySpec, VERIFY_TOLERANCE, type SpecPlan } from '../../pipeline/index.js';
import type { BackendName } from '../../runtime/backend.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode } from '../io.js';
import { backendOption, checkedText, integerOption, numberOption } from '../options.js';
import { guardPipeline, reportDiagnostics } from '../pipeline/errors.js';
import { resolve } from 'node:path';

interface VerifyFlags {
  weights: string;
  model?: string;
  tolerance?: string;
  images?: string;
  backend?: BackendName;
  export?: string;
  json?: boolean;
}

async function runVerify(spec: string, flags: VerifyFlags, context: CliContext): Promise<void> {
  const { io } = context;
  const tolerance = flags.tolerance === undefined ? VERIFY_TOLERANCE : Number(flags.tolerance);
  const images = flags.images === undefined ? 4 : Number(flags.images);
  if (!(tolerance > 0) || !Number.isInteger(images) || images < 1) {
    io.stderr(`tierc verify: --tolerance must be a positive number and --images a positive integer, got '${flags.tolerance ?? tolerance}' and '${flags.images ?? images}'.\n`);
    context.setExitCode(ExitCode.usage);
    return;
  }
  let plan: SpecPlan | undefined;
  await guardPipeline(context, () => plan?.checked.sources ?? new Map(), async () => {
    plan = loadSpecPlan(spec, { cwd: io.cwd, ...(flags.model !== undefined ? { model: flags.model } : {}) });
    const result = await verifySpec(plan, {
      cwd: io.cwd,
      weights: flags.weights,
      tolerance,
      images,
      ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
      ...(flags.export !== undefined ? { exportDir: resolve(io.cwd, flags.export) } : {}),
      onDiagnostic: (diagnostic) => reportDiagnostics(context, [diagnostic], plan?.checked.sources),
    });
    if (flags.json === true) {
      io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      const header = ['graph', 'output', 'shape', 'max abs diff', 'max rel diff', ''];
      const rows = result.comparisons.map((c) => [c.graph, c.output, `[${c.shape.join(', ')}]`, c.maxAbsDiff.toExponential(2), c.maxRelDiff.toExponential(2), c.ok ? 'ok' : 'FAIL']);
      const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
      const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ').trimEnd();
      io.stdout(`ONNX (onnxruntime-node) against the tfjs forward (${result.backend}) with ${result.checkpoint}, tolerance ${result.tolerance}\n`);
      io.stdout(`${[line(header), ...rows.map(line)].join('\n')}\n`);
      if (result.files.length > 0) io.stdout(`wrote ${result.files.join(', ')}\n`);
    }
    reportDiagnostics(context, result.diagnostics, plan.checked.sources);
    context.setExitCode(result.ok ? ExitCode.ok : ExitCode.inputError);
  });
}

export const verifyCommand: CliCommand = {
  register(program: Command, context: CliContext) {
    program
      .command('verify')
      .description('Check the ONNX graphs of a trained model against the tfjs forward pass on the spec\'s data.')
      .argument('<spec>', '.tier spec file')
      .requiredOption('--weights <checkpoint>', 'checkpoint folder, run folder or .safetensors file; a run folder picks its best checkpoint by the run\'s keep-best metric, else its newest')
      .option('--model <name>', 'the model when the spec declares several')
      .option('--tolerance <x>', `largest allowed absolute difference per output (default ${VERIFY_TOLERANCE})`, checkedText(numberOption({ min: 0, aboveMin: true })))
      .option('--images <n>', 'images in the test batch (default 4)', checkedText(integerOption({ min: 1 })))
      .option('--backend <name>', 'force a tfjs backend: tensorflow-gpu, tensorflow, wasm or cpu', backendOption)
      .option('--export <dir>', 'also write the verified ONNX graphs (with the zero-shot head) to this folder')
      .option('--json', 'print the comparisons as JSON')
      .action((spec: string, flags: VerifyFlags) => runVerify(spec, flags, context));
  },
};
