// Turns the errors that end-to-end commands throw for bad input (spec, data, training,
// evaluation) into rendered diagnostics and exit code 1; anything else is a bug and propagates.
import { DataError, issueToDiagnostic } from '../../data/index.js';
import { renderDiagnostics } from '../../diagnostics/index.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import { EvalError, evalIssueToDiagnostic } from '../../eval/index.js';
import { PipelineError } from '../../pipeline/index.js';
import { TrainingError } from '../../runtime/errors.js';
import type { CliContext } from '../command.js';
import { ExitCode, useColor } from '../io.js';

/** Renders `diagnostics` to stderr with the spec's sources for caret lines. */
export function reportDiagnostics(context: CliContext, diagnostics: readonly Diagnostic[], sources: Map<string, string> = new Map()): void {
  if (diagnostics.length === 0) return;
  context.io.stderr(renderDiagnostics([...diagnostics], { sources: (file) => sources.get(file), color: useColor(context.io) }));
}

/** Runs `action`; a user-facing error is rendered and sets exit code 1. */
export async function guardPipeline(context: CliContext, sources: () => Map<string, string>, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    const diagnostics = diagnosticsOf(error);
    if (diagnostics === undefined) throw error;
    reportDiagnostics(context, diagnostics, error instanceof PipelineError && error.sources.size > 0 ? error.sources : sources());
    context.setExitCode(ExitCode.inputError);
  }
}

function diagnosticsOf(error: unknown): Diagnostic[] | undefined {
  if (error instanceof PipelineError) return error.diagnostics;
  if (error instanceof TrainingError) return [error.diagnostic];
  if (error instanceof DataError) return [issueToDiagnostic(error.issue)];
  if (error instanceof EvalError) return [evalIssueToDiagnostic(error.issue)];
  return undefined;
}
