// `tierc doctor [--json] [--backend NAME]`: tries every tfjs backend in the order of
// preference and prints which one training would use and why each other one is not used
// (not installed, no CUDA device, or failed to initialize with its error). For the wasm
// backend it also prints the thread count and why: the TIERC_WASM_THREADS environment
// variable, one per logical core, or the error of a threaded build that failed to start, and
// whether its matrix products run on tierc's native addon (and why not).
import type { Command } from 'commander';
import { selectBackend, type BackendName, type BackendReport } from '../../runtime/backend.js';
import { backendOption } from '../options.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode } from '../io.js';

interface DoctorFlags {
  json?: boolean;
  backend?: BackendName;
}

const STATUS_TEXT: Record<string, string> = {
  chosen: 'used',
  available: 'available',
  'not-installed': 'not installed',
  'no-cuda': 'no CUDA',
  failed: 'failed',
  'not-tried': 'not tried',
};

async function runDoctor(flags: DoctorFlags, context: CliContext): Promise<void> {
  const { io } = context;
  let report: BackendReport;
  try {
    report = await selectBackend({ probeAll: true, ...(flags.backend ? { force: flags.backend } : {}) });
  } catch (error) {
    io.stderr(`tierc doctor: ${(error as Error).message}\n`);
    context.setExitCode(ExitCode.inputError);
    return;
  }
  if (flags.json) {
    io.stdout(JSON.stringify(report, null, 2) + '\n');
    context.setExitCode(ExitCode.ok);
    return;
  }
  io.stdout(`Training backend: ${report.chosen}`);
  io.stdout('\n');
  if (report.chosen === 'wasm') {
    const threads = report.wasmThreads ?? 1;
    io.stdout(`  SIMD ${report.wasmSimd ? 'on' : 'off'}, ${threads} ${threads === 1 ? 'thread' : 'threads'}: ${report.wasmThreadsReason ?? 'not reported'}.\n`);
    const native = report.nativeMatmul;
    if (native?.used) {
      const count = native.threads ?? 1;
      io.stdout(`  Matrix products: native ${native.isa} kernels, ${count} ${count === 1 ? 'thread' : 'threads'}. ${native.reason}\n`);
    } else if (native) {
      io.stdout(`  Matrix products: XNNPACK (wasm). ${native.reason}\n`);
    }
  }
  for (const probe of report.probes) {
    io.stdout(`  ${probe.name.padEnd(15)} ${(STATUS_TEXT[probe.status] ?? probe.status).padEnd(14)} ${probe.reason}\n`);
  }
  context.setExitCode(ExitCode.ok);
}

export const doctorCommand: CliCommand = {
  register(program: Command, context: CliContext) {
    program
      .command('doctor')
      .description('Show which TensorFlow.js backend training uses and why the others are not used.')
      .option('--json', 'print the report as JSON')
      .option('--backend <name>', 'check only this backend: tensorflow-gpu, tensorflow, wasm or cpu', backendOption)
      .action((flags: DoctorFlags) => runDoctor(flags, context));
  },
};
