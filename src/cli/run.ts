// The CLI as a function: `run(argv, io)` parses arguments, runs one subcommand and returns its exit code.
import { Command, CommanderError } from 'commander';
import { commands } from './commands/index.js';
import { ExitCode, type CliIo } from './io.js';
import { tiercVersion } from './version.js';

export async function run(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command('tierc')
    .description('Compile .tier specs of CLIP-style medical image-text models to TensorFlow.js and ONNX.')
    .version(tiercVersion(), '-V, --version')
    .showHelpAfterError('(run tierc --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
    });
  const context = { io, setExitCode: (code: number) => void (exitCode = code) };
  for (const command of commands) command.register(program, context);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version requests exit 0; every other commander error is a usage error.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
        return ExitCode.ok;
      }
      return ExitCode.usage;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`tierc: internal error: ${message}\nThis is a bug in tierc; please report it with the command and spec that caused it.\n`);
    return ExitCode.internal;
  }
  return exitCode;
}
