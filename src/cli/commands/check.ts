// `tierc check FILE...`: parses each spec and its imports and runs the front-end checks.
// Diagnostics go to stderr as text, or to stdout as one JSON array with `--json`, the option
// that every command printing data takes. `--format json` is the older spelling.
// Exit codes: 0 no errors, 1 errors in a spec, 2 usage error.
import { Option, type Command } from 'commander';
import { renderDiagnostics, renderDiagnosticsJson } from '../../diagnostics/index.js';
import type { Diagnostic } from '../../diagnostics/index.js';
import { frontendState, nodeHost, runPhasesPastErrors } from '../../driver/index.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode, useColor } from '../io.js';

interface CheckFlags {
  format: 'text' | 'json';
  json?: boolean;
}

/** Checks `files` and returns the diagnostics of all of them (each reported once) and their sources. */
export function checkFiles(files: string[], cwd: string): { diagnostics: Diagnostic[]; sources: Map<string, string> } {
  const host = nodeHost(cwd);
  const diagnostics: Diagnostic[] = [];
  const sources = new Map<string, string>();
  const seen = new Set<string>();
  for (const file of files) {
    const state = frontendState(file, host);
    const run = runPhasesPastErrors(state);
    for (const [path, text] of state.sources) sources.set(path, text);
    for (const diagnostic of run.diagnostics) {
      // A file imported by several specs would otherwise repeat its diagnostics.
      const key = `${diagnostic.code}\u0000${diagnostic.span?.file}\u0000${diagnostic.span?.start.offset}\u0000${diagnostic.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      diagnostics.push(diagnostic);
    }
  }
  return { diagnostics, sources };
}

function runCheck(files: string[], flags: CheckFlags, context: CliContext): void {
  const { io } = context;
  const { diagnostics, sources } = checkFiles(files, io.cwd);
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
  if (flags.format === 'json' || flags.json === true) {
    io.stdout(renderDiagnosticsJson(diagnostics));
  } else {
    io.stderr(renderDiagnostics(diagnostics, { sources: (file) => sources.get(file), color: useColor(io) }));
    const checked = `${files.length} ${files.length === 1 ? 'file' : 'files'}`;
    if (errors === 0) io.stdout(`Checked ${checked}: no errors.\n`);
    else io.stderr(`Checked ${checked}: ${errors} ${errors === 1 ? 'error' : 'errors'}.\n`);
  }
  context.setExitCode(errors > 0 ? ExitCode.inputError : ExitCode.ok);
}

export const checkCommand: CliCommand = {
  register(program: Command, context: CliContext) {
    program
      .command('check')
      .description('Parse .tier specs and their imports and report syntax, name, setting and shape errors.')
      .argument('<files...>', '.tier spec files to check')
      .option('--json', 'print the diagnostics as one JSON array on stdout')
      .addOption(new Option('--format <format>', 'output format of the diagnostics; --format json is the same as --json').choices(['text', 'json']).default('text'))
      .action((files: string[], flags: CheckFlags) => runCheck(files, flags, context));
  },
};
