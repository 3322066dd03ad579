// `tierc dump FILE.onnx` prints a deterministic text listing of an ONNX model: opsets,
// inputs and outputs, initializers with a short data hash, nodes and metadata.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { dumpOnnx } from '../../backends/onnx/index.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode } from '../io.js';

function runDump(file: string, context: CliContext): void {
  const { io } = context;
  const modelPath = path.resolve(io.cwd, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(modelPath);
  } catch (error) {
    io.stderr(`tierc dump: cannot read '${file}': ${(error as Error).message}\n`);
    context.setExitCode(ExitCode.inputError);
    return;
  }
  let text: string;
  try {
    text = dumpOnnx(bytes, {
      readExternal: (location) => {
        const dataPath = path.resolve(path.dirname(modelPath), location);
        return existsSync(dataPath) ? readFileSync(dataPath) : new Uint8Array();
      },
    });
  } catch (error) {
    io.stderr(`tierc dump: '${file}' is not a valid ONNX model: ${(error as Error).message}\n`);
    context.setExitCode(ExitCode.inputError);
    return;
  }
  io.stdout(text);
}

export const dumpCommand: CliCommand = {
  register(program: Command, context: CliContext): void {
    program
      .command('dump')
      .description('Print a deterministic text listing of an ONNX model (opsets, inputs, outputs, initializers, nodes, metadata).')
      .argument('<model>', 'the .onnx file; external data files are read from its directory')
      .action((file: string) => runDump(file, context));
  },
};
