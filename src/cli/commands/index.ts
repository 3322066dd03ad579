// Every subcommand of `tierc`, in the order `tierc --help` lists them. Each entry carries the
// text of the top-level help and loads its module on demand. So `tierc --help`, `tierc --version`
// and a misspelt command name import no command module, and a run that names one subcommand
// imports only that command's dependencies (onnxruntime, tfjs, sharp and the compiler are slow
// to load). A test checks that each entry's text matches what its module registers.
import type { CliCommand } from '../command.js';

export type CommandLoader = () => Promise<CliCommand>;

export interface CommandEntry {
  name: string;
  /** The command's line in `tierc --help`, such as `check [options] <files...>`. */
  term: string;
  /** The command's description, as its module registers it. */
  description: string;
  load: CommandLoader;
}

export const commandTable: readonly CommandEntry[] = [
  {
    name: 'check',
    term: 'check [options] <files...>',
    description: 'Parse .tier specs and their imports and report syntax, name, setting and shape errors.',
    load: async () => (await import('./check.js')).checkCommand,
  },
  {
    name: 'explain',
    term: 'explain [options] <spec>',
    description: 'Show every named value with its shape, the options used (defaults marked), and parameter counts and FLOPs per component.',
    load: async () => (await import('./explain.js')).explainCommand,
  },
  {
    name: 'compile',
    term: 'compile [options] <spec>',
    description: 'Compile a .tier spec to its IR listing, ONNX graphs or a TensorFlow.js training program.',
    load: async () => (await import('./compile.js')).compileCommand,
  },
  {
    name: 'fmt',
    term: 'fmt [options] <files...>',
    description: 'Format .tier specs in the canonical layout (prints to stdout unless --check or --write).',
    load: async () => (await import('./fmt.js')).fmtCommand,
  },
  {
    name: 'data',
    term: 'data',
    description: 'Check datasets and generate the synthetic chest radiograph phantom.',
    load: async () => (await import('./data.js')).dataCommand,
  },
  {
    name: 'tokenizer',
    term: 'tokenizer',
    description: 'Train and inspect WordPiece tokenizers for report text.',
    load: async () => (await import('./tokenizer.js')).tokenizerCommand,
  },
  {
    name: 'eval',
    term: 'eval [options] [spec]',
    description: 'Compute zero-shot AUROC per label with bootstrap intervals and the macro mean.',
    load: async () => (await import('./eval.js')).evalCommand,
  },
  {
    name: 'report',
    term: 'report [options]',
    description: 'Build a self-contained HTML report (AUROC, curves, heatmaps, similarities) from a run directory.',
    load: async () => (await import('./report.js')).reportCommand,
  },
  {
    name: 'dump',
    term: 'dump <model>',
    description: 'Print a deterministic text listing of an ONNX model (opsets, inputs, outputs, initializers, nodes, metadata).',
    load: async () => (await import('./dump.js')).dumpCommand,
  },
  {
    name: 'run',
    term: 'run [options] <model>',
    description: 'Run an exported image_tower or zeroshot ONNX graph on image files and print embeddings or zero-shot scores.',
    load: async () => (await import('./run.js')).runCommand,
  },
  {
    name: 'train',
    term: 'train [options] <spec>',
    description: 'Train a model of a .tier spec with TensorFlow.js.',
    load: async () => (await import('./train.js')).trainCommand,
  },
  {
    name: 'verify',
    term: 'verify [options] <spec>',
    description: 'Check the ONNX graphs of a trained model against the tfjs forward pass on the spec\'s data.',
    load: async () => (await import('./verify.js')).verifyCommand,
  },
  {
    name: 'doctor',
    term: 'doctor [options]',
    description: 'Show which TensorFlow.js backend training uses and why the others are not used.',
    load: async () => (await import('./doctor.js')).doctorCommand,
  },
];

/**
 * Returns the entry of the command that `argv` runs: the first argument, or the argument after
 * `help` (`tierc help check`). Undefined for `--help`, `--version` and unknown names.
 */
export function commandFor(argv: readonly string[]): CommandEntry | undefined {
  const name = argv[0] === 'help' ? argv[1] : argv[0];
  return commandTable.find((entry) => entry.name === name);
}
