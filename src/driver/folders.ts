// Folder creation one level at a time. Under /proc, mkdir fails with ENOENT although the parent
// exists, and on Node 20.20 `mkdirSync(path, { recursive: true })` then spins at full CPU without
// returning, so writers of output folders call `makeFolder` instead.
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Creates `folder` and its missing ancestors, one mkdir per level, so a failing level throws instead of looping. */
export function makeFolder(folder: string): void {
  const missing: string[] = [];
  let current = folder;
  while (!isDirectory(current)) {
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const path of missing.reverse()) {
    try {
      mkdirSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!isDirectory(path)) {
        // Node's text would be "EEXIST: file already exists, mkdir", which hides that a file is in the way.
        throw Object.assign(new Error(`'${path}' is a file, not a folder; choose another path or move the file`), { code: 'ENOTDIR', path });
      }
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
