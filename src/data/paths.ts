// Resolution of image and mask paths against a data root. A manifest path must stay inside
// the root: absolute paths, `..` segments that leave it and symbolic links that point out of
// it are rejected, because a manifest from elsewhere must not make tierc read arbitrary files.
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

export type PathCheck =
  | { ok: true; path: string }
  | { ok: false; reason: 'absolute' | 'escapes' | 'symlink' | 'empty' | 'missing'; message: string };

/** Checks `relative` lexically: not empty, not absolute, and inside `root` after `..` is resolved. */
export function resolveInsideRoot(root: string, relative: string): PathCheck {
  if (relative.trim() === '') return { ok: false, reason: 'empty', message: 'The image path is empty.' };
  if (path.isAbsolute(relative) || path.win32.isAbsolute(relative) || relative.includes('\0')) {
    return {
      ok: false,
      reason: 'absolute',
      message: `Path '${relative}' is absolute; manifest paths must be relative to the data root '${root}'.`,
    };
  }
  const absoluteRoot = path.resolve(root);
  const resolved = path.resolve(absoluteRoot, relative);
  if (!isInside(absoluteRoot, resolved)) {
    return {
      ok: false,
      reason: 'escapes',
      message: `Path '${relative}' points outside the data root '${root}'.`,
    };
  }
  return { ok: true, path: resolved };
}

/**
 * Checks `relative` like `resolveInsideRoot`, then follows symbolic links: the real path must
 * exist and stay inside the real root.
 */
export function resolveExistingInsideRoot(root: string, relative: string): PathCheck {
  const lexical = resolveInsideRoot(root, relative);
  if (!lexical.ok) return lexical;
  if (!existsSync(lexical.path)) {
    return { ok: false, reason: 'missing', message: `File '${relative}' does not exist under the data root '${root}'.` };
  }
  const realRoot = realpathSync(path.resolve(root));
  const realFile = realpathSync(lexical.path);
  if (!isInside(realRoot, realFile)) {
    return {
      ok: false,
      reason: 'symlink',
      message: `Path '${relative}' is a symbolic link to '${realFile}', outside the data root '${root}'.`,
    };
  }
  return { ok: true, path: realFile };
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
