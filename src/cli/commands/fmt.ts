// `tierc fmt [--check] [--write] FILE...`: prints specs in the canonical layout. `--check` lists
// the files that would change and exits 1 if there are any. `--write` rewrites them through a
// temporary file and a rename, so a failed write leaves the original intact. Files with syntax
// errors are reported and left alone. With `--check` or `--write`, `--json` prints the changed
// files as `{"files": N, "changed": [...]}` instead of one per line.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { renderDiagnostics } from '../../diagnostics/index.js';
import { formatSpec } from '../../format/index.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode, useColor } from '../io.js';
import { removeTemporary, temporaryPath } from '../../driver/temporary.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

interface FmtFlags {
  check?: boolean;
  write?: boolean;
  json?: boolean;
}

function runFmt(files: string[], flags: FmtFlags, context: CliContext): void {
  const { io } = context;
  if (flags.check === true && flags.write === true) {
    io.stderr('tierc fmt: use either --check or --write, not both.\n');
    context.setExitCode(ExitCode.usage);
    return;
  }
  if (flags.json === true && flags.check !== true && flags.write !== true) {
    io.stderr('tierc fmt: --json lists the changed files of --check or --write; add one of them.\n');
    context.setExitCode(ExitCode.usage);
    return;
  }
  let failed = false;
  const changed: string[] = [];
  for (const file of files) {
    const path = resolve(io.cwd, file);
    let text: string;
    try {
      text = strictUtf8.decode(readFileSync(path));
    } catch (error) {
      const code = (error as { code?: string }).code;
      let reason = code ?? String(error);
      if (code === 'ENOENT') reason = 'no such file';
      if (code === 'ERR_ENCODING_INVALID_ENCODED_DATA') reason = 'not a text .tier file: its bytes are not valid UTF-8';
      io.stderr(`tierc fmt: cannot read '${file}' (${reason}).\n`);
      failed = true;
      continue;
    }
    const result = formatSpec(text, file);
    if (result.formatted === undefined) {
      io.stderr(renderDiagnostics(result.diagnostics, { sources: () => text, color: useColor(io) }));
      io.stderr(`tierc fmt: '${file}' has syntax errors and was not formatted.\n`);
      failed = true;
      continue;
    }
    if (flags.check !== true && flags.write !== true) {
      io.stdout(result.formatted);
      continue;
    }
    if (result.formatted === text) continue;
    changed.push(file);
    if (flags.write === true) {
      const temporary = temporaryPath(path, 'tierc-fmt');
      try {
        writeFileSync(temporary, result.formatted, 'utf8');
        renameSync(temporary, path);
      } catch (error) {
        removeTemporary(temporary);
        io.stderr(`tierc fmt: cannot write '${file}' (${(error as { code?: string }).code ?? String(error)}).\n`);
        failed = true;
      }
    }
  }
  if (flags.json === true) {
    io.stdout(`${JSON.stringify({ files: files.length, changed }, null, 2)}\n`);
  } else if (flags.check === true) {
    for (const file of changed) io.stdout(`${file}\n`);
    if (changed.length > 0) io.stderr(`tierc fmt: ${changed.length} ${changed.length === 1 ? 'file is' : 'files are'} not formatted; run 'tierc fmt --write' on ${changed.length === 1 ? 'it' : 'them'}.\n`);
  } else if (flags.write === true) {
    for (const file of changed) io.stdout(`formatted ${file}\n`);
  }
  if (flags.json === true && flags.check === true && changed.length > 0) {
    io.stderr(`tierc fmt: ${changed.length} ${changed.length === 1 ? 'file is' : 'files are'} not formatted.\n`);
  }
  context.setExitCode(failed || (flags.check === true && changed.length > 0) ? ExitCode.inputError : ExitCode.ok);
}

export const fmtCommand: CliCommand = {
  register(program: Command, context: CliContext) {
    program
      .command('fmt')
      .description('Format .tier specs in the canonical layout (prints to stdout unless --check or --write).')
      .argument('<files...>', '.tier spec files to format')
      .option('--check', 'list files that are not formatted and exit 1 if there are any')
      .option('--write', 'rewrite files in place')
      .option('--json', 'with --check or --write: print the changed files as JSON')
      .action((files: string[], flags: FmtFlags) => runFmt(files, flags, context));
  },
};
