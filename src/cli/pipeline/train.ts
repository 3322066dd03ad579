// `tierc train SPEC` on the spec's own data: the train command hands over here when the
// model's train block names a data block. Prints a progress bar on a terminal and one summary
// line; metrics.jsonl, settings.json and checkpoints/ go to the run folder.
import cliProgress from 'cli-progress';
import { loadSpecPlan, trainSpec, type SpecPlan } from '../../pipeline/index.js';
import type { BackendName } from '../../runtime/backend.js';
import type { CliContext } from '../command.js';
import { ExitCode } from '../io.js';
import { guardPipeline, reportDiagnostics } from './errors.js';

export interface SpecTrainFlags {
  model?: string;
  steps?: number;
  batch?: number;
  seed?: number;
  backend?: BackendName;
  out?: string;
  resume?: boolean;
  /** Threads of the wasm backend; only values above 1 change anything. */
  wasmThreads?: number;
  json?: boolean;
}

/** Whether `tierc train` should train on the spec's data: the model's train block names a declared data block. */
export function trainsOnSpecData(configs: { train: { model: string; data: { name: string } }[]; data: { name: string }[] } | undefined, model: string): boolean {
  const train = configs?.train.find((config) => config.model === model);
  return train !== undefined && configs!.data.some((data) => data.name === train.data.name);
}

/** Trains the spec's model on its data and writes the run folder. */
export async function runSpecTraining(spec: string, flags: SpecTrainFlags, context: CliContext): Promise<void> {
  const { io } = context;
  let plan: SpecPlan | undefined;
  await guardPipeline(context, () => plan?.checked.sources ?? new Map(), async () => {
    plan = loadSpecPlan(spec, { cwd: io.cwd, ...(flags.model !== undefined ? { model: flags.model } : {}) });
    reportDiagnostics(context, plan.checked.diagnostics, plan.checked.sources);
    const bar = io.isTTY
      ? new cliProgress.SingleBar(
          {
            format: 'step {value}/{total} [{bar}] loss {loss} | {rate} samples/s | ETA {eta_formatted}',
            stream: { isTTY: true, columns: 100, write: (text: string) => (io.stderr(text), true) } as unknown as NodeJS.WritableStream,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
    const current = plan;
    // Ctrl-C keeps its default effect (the process ends by the signal); the handler first says
    // which checkpoint step --resume continues from, because metrics past it are rewritten then.
    let checkpointStep = 0;
    let stepDone = 0;
    const outFolder = flags.out ?? `runs/${current.model.name}`;
    const onInterrupt = () => {
      bar?.stop();
      io.stderr(checkpointStep > 0
        ? `\ntraining stopped at step ${stepDone}; the same command with --resume continues in '${outFolder}' from the checkpoint at step ${checkpointStep}.\n`
        : `\ntraining stopped at step ${stepDone} before its first checkpoint; run the same command again without --resume to start over in '${outFolder}'.\n`);
      process.kill(process.pid, 'SIGINT');
    };
    process.once('SIGINT', onInterrupt);
    try {
      const result = await trainSpec(
        current,
        {
          cwd: io.cwd,
          ...(flags.out !== undefined ? { outDir: flags.out } : {}),
          ...(flags.steps !== undefined ? { steps: flags.steps } : {}),
          ...(flags.batch !== undefined ? { batch: flags.batch } : {}),
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
          ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
          ...(flags.resume === true ? { resume: true } : {}),
          ...(flags.wasmThreads !== undefined ? { wasmThreads: flags.wasmThreads } : {}),
          settings: { data: { name: current.data?.name ?? 'data', synthetic: isPhantom(current), description: current.data?.manifest ?? '' } },
        },
        {
          onStart: (info) => {
            const native = info.backend.nativeMatmul;
            if (native !== undefined && !native.used && process.env['TIERC_NATIVE']?.trim() !== '0') io.stderr(`warning: the native kernels are not used, so training runs slower: ${native.reason}\n`);
            if (flags.wasmThreads !== undefined && info.backend.chosen !== 'wasm') io.stderr(`warning: --wasm-threads applies to the wasm backend only; the '${info.backend.chosen}' backend ignores it.\n`);
            else if (flags.wasmThreads !== undefined && info.backend.wasmThreadsReason?.includes('lowered to')) io.stderr(`warning: --wasm-threads ${flags.wasmThreads} was lowered to ${info.backend.nativeMatmul?.threads ?? info.backend.wasmThreads}, the most tierc uses.\n`);
            if (info.startStep >= info.totalSteps) io.stderr(`warning: the run is already at step ${info.startStep}, so there is nothing to train; pass --steps above ${info.startStep} to continue it.\n`);
            io.stderr(`training '${current.model.name}' on ${info.backend.chosen}: ${info.params} trainable values, steps ${info.startStep}–${info.totalSteps}\n`);
            bar?.start(info.totalSteps, info.startStep, { loss: '-', rate: '-' });
            checkpointStep = info.startStep;
            stepDone = info.startStep;
          },
          onStep: (m) => {
            stepDone = m.step;
            bar?.update(m.step, { loss: m.loss.toFixed(4), rate: m.samplesPerSecond.toFixed(1) });
          },
          onCheckpoint: (_path, step) => {
            checkpointStep = step;
          },
          onDiagnostic: (d) => reportDiagnostics(context, [d], current.checked.sources),
        },
      );
      bar?.stop();
      if (flags.json === true) {
        io.stdout(`${JSON.stringify({ model: current.model.name, ...result }, null, 2)}\n`);
      } else {
        const loss = result.last?.loss.toFixed(5) ?? 'n/a';
        if (result.last === undefined) io.stdout(`trained no step of '${current.model.name}'; run folder ${result.outDir}\n`);
        else io.stdout(`trained '${current.model.name}' for ${result.steps} ${result.steps === 1 ? 'step' : 'steps'} (batch ${result.batch}, ${result.batchesPerEpoch} batches per epoch) in ${result.seconds.toFixed(1)} s on ${result.backend}; final loss ${loss}; run folder ${result.outDir}\n`);
      }
      context.setExitCode(ExitCode.ok);
    } finally {
      process.removeListener('SIGINT', onInterrupt);
      bar?.stop();
    }
  });
}

/** Returns whether the manifest sits in a folder named phantom, so the report marks the data as synthetic. */
function isPhantom(plan: SpecPlan): boolean {
  return /[/\\]phantom[/\\]/.test(plan.data?.manifest ?? '');
}
