// Every subcommand of `tierc`, in the order `tierc --help` lists them.
import type { CliCommand } from '../command.js';
import { checkCommand } from './check.js';

export const commands: CliCommand[] = [checkCommand];
