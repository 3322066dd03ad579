// writeOnnxArtifacts: compiles the graphs and writes them into a directory without ever
// leaving a partial file: every file goes to a temporary name first, and only when all are
// written are they renamed into place.
import { renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeFolder } from '../../driver/folders.js';
import { errorNaming, removeTemporary, temporaryPath } from '../../driver/temporary.js';
import type { Diagnostic } from '../../diagnostics/types.js';
import type { IrModule } from '../../ir/types.js';
import { compileOnnx, type OnnxCompileOptions } from './compile.js';
import { backendDiagnostic } from './diagnostics.js';

export interface WrittenArtifacts {
  /** Paths of the files written, in order. Empty when a diagnostic is an error. */
  files: string[];
  diagnostics: Diagnostic[];
}

export function writeOnnxArtifacts(module: IrModule, options: OnnxCompileOptions, outDir: string): WrittenArtifacts {
  const directoryProblem = checkDirectory(outDir);
  if (directoryProblem) return { files: [], diagnostics: [directoryProblem] };
  const compiled = compileOnnx(module, options);
  if (compiled.diagnostics.some((d) => d.severity === 'error')) return { files: [], diagnostics: compiled.diagnostics };
  const diagnostics = [...compiled.diagnostics];
  const temporary: [string, string][] = [];
  try {
    makeFolder(outDir);
    for (const file of compiled.files) {
      const target = join(outDir, file.name);
      const temp = temporaryPath(target);
      temporary.push([temp, target]);
      writeFileSync(temp, file.bytes);
    }
    for (const [temp, target] of temporary) renameSync(temp, target);
  } catch (error) {
    for (const [temp] of temporary) removeTemporary(temp);
    const named = temporary.reduce((current, [temp, target]) => errorNaming(current, temp, target), error);
    const message = named instanceof Error ? named.message : String(named);
    diagnostics.push(backendDiagnostic('TIER4020', `Cannot write the ONNX files to '${outDir}': ${message}.`));
    return { files: [], diagnostics };
  }
  return { files: temporary.map(([, target]) => target), diagnostics };
}

function checkDirectory(outDir: string): Diagnostic | undefined {
  try {
    if (!statSync(outDir).isDirectory()) {
      return backendDiagnostic('TIER4020', `The ONNX output path '${outDir}' is a file, not a directory; choose another output directory.`);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return backendDiagnostic('TIER4020', `Cannot use '${outDir}' as the ONNX output directory: ${(error as Error).message}.`);
    }
  }
  return undefined;
}
