// The CLI as a function: `run(argv, io)` parses arguments, runs one subcommand and returns its exit code.
import { Command, CommanderError, Help } from 'commander';
import { commandFor, commandTable } from './commands/index.js';
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
  const named = commandFor(argv);
  if (named !== undefined) {
    (await named.load()).register(program, context);
  } else {
    // `--help`, `--version` and unknown names need only each command's name and help line.
    for (const entry of commandTable) program.command(entry.name).description(entry.description);
    const terms = new Map(commandTable.map((entry) => [entry.name, entry.term]));
    const standard = new Help();
    program.configureHelp({ subcommandTerm: (command) => terms.get(command.name()) ?? standard.subcommandTerm(command) });
  }

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
    const fsMessage = describeFileSystemError(error);
    if (fsMessage !== undefined) {
      io.stderr(`tierc: ${fsMessage}\n`);
      return ExitCode.inputError;
    }
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(`tierc: internal error: ${message}\nThis is a bug in tierc; please report it with the command and spec that caused it.\n`);
    return ExitCode.internal;
  }
  return exitCode;
}

/** File-system failures that a user can fix (a path that is a file, no permission, a full disk). */
const USER_FILE_ERRORS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'the path is a folder, not a file',
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'the path already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
};

/**
 * Turns a Node file-system error that escaped a command into one line naming the path and the
 * cause, so a wrong output path is an input error (exit 1) rather than an internal one.
 */
function describeFileSystemError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  if (code === undefined || !(code in USER_FILE_ERRORS)) return undefined;
  const where = path !== undefined ? ` '${path}'` : '';
  const action = syscall !== undefined ? ` (${syscall})` : '';
  return `cannot use${where}: ${USER_FILE_ERRORS[code]}${action}. Check the path and its permissions, then run the command again.`;
}
