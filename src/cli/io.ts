// The CLI's view of the outside world, so that `run` can be tested without a subprocess.

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Whether stdout is a terminal: progress bars and colours appear only then. */
  isTTY: boolean;
}

/** Exit codes, documented in the README: 0 success, 1 errors in the input, 2 usage error, 70 internal error. */
export const ExitCode = {
  ok: 0,
  inputError: 1,
  usage: 2,
  internal: 70,
} as const;

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
  };
}

/** Whether colour output is allowed: a terminal, and NO_COLOR unset or empty. */
export function useColor(io: CliIo): boolean {
  return io.isTTY && !io.env.NO_COLOR;
}
