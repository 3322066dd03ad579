// The file system as the compiler sees it. Tests pass an in-memory host; the CLI uses nodeHost.
import { readFileSync, realpathSync } from 'node:fs';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface CompilerHost {
  /** Absolute working directory; relative paths and display paths are taken from it. */
  cwd: string;
  /**
   * Reads a UTF-8 file. It throws a Node-style error (with `code`, such as ENOENT) on failure,
   * and an error with code ERR_ENCODING_INVALID_ENCODED_DATA when the bytes are not valid UTF-8.
   */
  readFile(path: string): string;
  /** Resolves symbolic links; returns the path unchanged when it does not exist. */
  realpath(path: string): string;
}

export function nodeHost(cwd: string): CompilerHost {
  return {
    cwd,
    // A lenient decode would turn a binary file into U+FFFD characters and report them as
    // unexpected characters, so invalid UTF-8 is an error of its own.
    readFile: (path) => strictUtf8.decode(readFileSync(path)),
    realpath: (path) => {
      try {
        return realpathSync(path);
      } catch {
        return path;
      }
    },
  };
}

/** A host over a map of absolute paths to file texts. */
export function memoryHost(files: Record<string, string>, cwd = '/'): CompilerHost {
  return {
    cwd,
    readFile: (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file '${path}'`), { code: 'ENOENT' });
      return text;
    },
    realpath: (path) => path,
  };
}
