// Every subcommand of `tierc`, in the order `tierc --help` lists them.
import type { CliCommand } from '../command.js';
import { checkCommand } from './check.js';
import { compileCommand } from './compile.js';
import { explainCommand } from './explain.js';
import { fmtCommand } from './fmt.js';
import { dataCommand } from './data.js';
import { dumpCommand } from './dump.js';
import { evalCommand } from './eval.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { tokenizerCommand } from './tokenizer.js';
import { doctorCommand } from './doctor.js';
import { trainCommand } from './train.js';
import { verifyCommand } from './verify.js';

export const commands: CliCommand[] = [checkCommand, explainCommand, compileCommand, fmtCommand, dataCommand, tokenizerCommand, evalCommand, reportCommand, dumpCommand, runCommand, trainCommand, verifyCommand, doctorCommand];
