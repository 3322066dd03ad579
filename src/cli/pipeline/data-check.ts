// `tierc data check SPEC`: the data check driven by a spec's data and preprocess blocks. It
// reads every row of the manifest the train block (or else the first eval block) uses, decodes
// every image and measures token lengths with the spec's tokenizer.
import { checkDataset } from '../../data/index.js';
import { loadSpecPlan, requireData, type SpecPlan } from '../../pipeline/index.js';
import type { CliContext } from '../command.js';
import { progressBar, renderReport } from '../commands/data.js';
import { ExitCode } from '../io.js';
import { guardPipeline, reportDiagnostics } from './errors.js';

/** Checks the spec's dataset; exit code 1 when the data would stop training. */
export async function runSpecDataCheck(spec: string, flags: { json?: boolean; model?: string }, context: CliContext): Promise<void> {
  const { io } = context;
  let plan: SpecPlan | undefined;
  await guardPipeline(context, () => plan?.checked.sources ?? new Map(), async () => {
    plan = loadSpecPlan(spec, { cwd: io.cwd, ...(flags.model !== undefined ? { model: flags.model } : {}) });
    reportDiagnostics(context, plan.checked.diagnostics, plan.checked.sources);
    const { data, preprocess } = requireData(plan, 'check');
    const { name: _name, onMissingFile, defaulted: _defaulted, span: _span, ...manifest } = data;
    const bar = flags.json === true ? progressBar({ ...io, isTTY: false }, '') : progressBar(io, 'checking');
    const report = await checkDataset(
      {
        manifest,
        tokenizer: { path: preprocess.text.tokenizer as string, maxLen: preprocess.text.maxLen },
        image: { channels: preprocess.channels === 3 ? 3 : 1 },
        onMissing: onMissingFile,
      },
      (done, total) => bar.update(done, total),
    );
    bar.stop();
    io.stdout(flags.json === true ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
    context.setExitCode(report.failsTraining ? ExitCode.inputError : ExitCode.ok);
  });
}
