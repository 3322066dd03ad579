// Every subcommand of `tierc`, in the order `tierc --help` lists them. Each entry loads its
// module on demand, so a run that names one subcommand imports only that command's
// dependencies (onnxruntime, tfjs, sharp and the compiler are large to load).
import type { CliCommand } from '../command.js';

export type CommandLoader = () => Promise<CliCommand>;

export const commandLoaders: ReadonlyArray<readonly [name: string, load: CommandLoader]> = [
  ['check', async () => (await import('./check.js')).checkCommand],
  ['explain', async () => (await import('./explain.js')).explainCommand],
  ['compile', async () => (await import('./compile.js')).compileCommand],
  ['fmt', async () => (await import('./fmt.js')).fmtCommand],
  ['data', async () => (await import('./data.js')).dataCommand],
  ['tokenizer', async () => (await import('./tokenizer.js')).tokenizerCommand],
  ['eval', async () => (await import('./eval.js')).evalCommand],
  ['report', async () => (await import('./report.js')).reportCommand],
  ['dump', async () => (await import('./dump.js')).dumpCommand],
  ['run', async () => (await import('./run.js')).runCommand],
  ['train', async () => (await import('./train.js')).trainCommand],
  ['verify', async () => (await import('./verify.js')).verifyCommand],
  ['doctor', async () => (await import('./doctor.js')).doctorCommand],
];

/**
 * Loads the commands a run needs: only the named one when the first argument is a known
 * subcommand, else all of them, for `--help`, `--version` and suggestions for a misspelt name.
 */
export async function loadCommands(argv: readonly string[]): Promise<CliCommand[]> {
  const named = commandLoaders.find(([name]) => name === argv[0]);
  const wanted = named !== undefined ? [named] : commandLoaders;
  return Promise.all(wanted.map(([, load]) => load()));
}
