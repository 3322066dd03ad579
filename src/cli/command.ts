// How a subcommand plugs into the CLI: each file under commands/ exports one `CliCommand`.
import type { Command } from 'commander';
import type { CliIo } from './io.js';

export interface CliContext {
  io: CliIo;
  /** Records the exit code of the command that ran. */
  setExitCode(code: number): void;
}

export interface CliCommand {
  /** Adds the subcommand, its options and its action to `program`. */
  register(program: Command, context: CliContext): void;
}
