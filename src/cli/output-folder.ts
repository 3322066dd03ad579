// Output folders of commands that write files: checks made before any work starts (a file in
// the folder's place, an ancestor that is not a writable directory). `makeFolder` creates them.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';

export { makeFolder } from '../driver/folders.js';

/** Describes why `folder` cannot take the output, or returns undefined when it can. */
export function outputFolderProblem(folder: string): string | undefined {
  try {
    if (!statSync(folder).isDirectory()) return `the output path '${folder}' is a file, not a directory; choose another output directory with -o.`;
    return writableProblem(folder, folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return `cannot use '${folder}' as the output directory: ${(error as Error).message}.`;
  }
  const ancestor = nearestExisting(folder);
  if (!statSync(ancestor).isDirectory()) return `cannot create the output directory '${folder}' because '${ancestor}' is a file; choose another output directory with -o.`;
  return writableProblem(folder, ancestor);
}

function writableProblem(folder: string, existing: string): string | undefined {
  try {
    accessSync(existing, constants.W_OK);
    return undefined;
  } catch {
    return `cannot write into '${existing}', so the output directory '${folder}' cannot be created; choose a writable output directory with -o.`;
  }
}

/** Returns `path` or its nearest ancestor that exists. */
function nearestExisting(path: string): string {
  let current = path;
  for (;;) {
    try {
      statSync(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}
