// Shared test helpers: the catalog code of the EvalError an action raises.
import { EvalError } from '../../src/eval/index.js';

/** Runs `action` and returns the code of the EvalError it raised, or undefined when it raised none. */
export async function errorCodeOf(action: () => unknown): Promise<string | undefined> {
  try {
    await action();
  } catch (error) {
    if (error instanceof EvalError) return error.issue.code;
    throw error;
  }
  return undefined;
}
