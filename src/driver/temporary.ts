// Temporary sibling names for writing a file or folder before renaming it into place, and the
// rewriting of file-system errors about them, so that a failed write names the path the user
// gave instead of the temporary one.
import { rmSync } from 'node:fs';

/** Returns the temporary sibling `<target>.<tag>-<pid>` that a writer fills before renaming it to `target`. */
export function temporaryPath(target: string, tag = 'tmp'): string {
  return `${target}.${tag}-${process.pid}`;
}

/**
 * Rewrites a Node file-system error about `from` (or a path inside it) to name `to` instead: its
 * `path`, `dest` and message. A rename's "'A' -> 'B'" that becomes one path twice is shortened to
 * that path. Returns the same error object; values that are not errors pass through unchanged.
 */
export function errorNaming<T>(error: T, from: string, to: string): T {
  if (!(error instanceof Error) || from === to) return error;
  const errno = error as NodeJS.ErrnoException & { dest?: string };
  const swap = (text: string): string => text.split(from).join(to);
  if (typeof errno.path === 'string') errno.path = swap(errno.path);
  if (typeof errno.dest === 'string') errno.dest = swap(errno.dest);
  error.message = swap(error.message).replace(/'([^']*)' -> '\1'/, "'$1'");
  return error;
}

/**
 * Removes a temporary file or folder after a failed write. A removal that fails as well (its
 * parent is a file, say) is ignored, so that the caller reports the first error.
 */
export function removeTemporary(temporary: string): void {
  try {
    rmSync(temporary, { recursive: true, force: true });
  } catch {
    // The write's own error is the one to report.
  }
}
