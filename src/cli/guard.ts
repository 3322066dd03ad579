// Turns the data layer's input errors into a message and exit code 1 for commands that read
// manifests, images and tokenizers. It imports only the error class, so a command that uses it
// does not load the image decoders.
import { DataError } from '../data/errors.js';
import type { CliContext } from './command.js';
import { ExitCode } from './io.js';

/** Runs an action, turning a `DataError` into its message and exit code 1. */
export async function guarded(context: CliContext, action: () => Promise<void> | void): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    context.io.stderr(`tierc: ${error.message}\n`);
    context.setExitCode(ExitCode.inputError);
  }
}
