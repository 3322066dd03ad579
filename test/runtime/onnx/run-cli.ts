// Runs the tierc CLI in process with a captured CliIo, for the ONNX command tests.
import type { CliIo } from '../../../src/cli/io.js';
import { run } from '../../../src/cli/run.js';

export async function runCli(cwd: string, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), cwd, env: {}, isTTY: false };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
