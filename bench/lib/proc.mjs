// Runs a benchmark child process and reads the JSON line it prints last. GNU time, when
// present, wraps the child so the wall time, CPU time (user + system) and peak RSS of
// every child are measured the same way whatever the child is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%e', 'true']).status === 0;

/**
 * Runs `command args` and returns { ok, json, wallS, cpuS, maxRssMiB, code, error }. `json`
 * is the last stdout line that parses as JSON, or undefined when there is none. `error` is
 * the line of stderr that names the error when the exit code is not 0 or the run timed out.
 */
export function runChild(command, args, { env = {}, timeoutS = 600, cwd = process.cwd() } = {}) {
  const folder = mkdtempSync(join(tmpdir(), 'tierc-bench-'));
  const timeFile = join(folder, 'time');
  // coreutils' timeout ends the benchmark process itself; spawnSync's own timeout would only end GNU time.
  const limited = ['timeout', '-k', '10', String(timeoutS), command, ...args];
  const [file, argv] = hasGnuTime ? [GNU_TIME, ['-o', timeFile, '-f', '%e %U %S %M', ...limited]] : [limited[0], limited.slice(1)];
  const started = performance.now();
  const result = spawnSync(file, argv, { cwd, env: { ...process.env, ...env }, timeout: (timeoutS + 60) * 1000, maxBuffer: 64 * 2 ** 20, encoding: 'utf8' });
  const wallS = (performance.now() - started) / 1000;
  const run = { ok: result.status === 0, code: result.status, wallS, cpuS: undefined, maxRssMiB: undefined, json: lastJson(result.stdout ?? '') };
  if (hasGnuTime && existsSync(timeFile)) {
    const fields = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
    if (fields.length === 4 && fields.every(Number.isFinite)) {
      run.wallS = fields[0];
      run.cpuS = fields[1] + fields[2];
      run.maxRssMiB = fields[3] / 1024;
    }
  }
  rmSync(folder, { recursive: true, force: true });
  if (result.status === 124 || result.status === 137 || result.error?.code === 'ETIMEDOUT') run.error = `timed out after ${timeoutS} s`;
  else if (!run.ok) run.error = errorLine(result.stderr || result.stdout || String(result.error ?? ''));
  return run;
}

function lastJson(stdout) {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line);
    } catch {
      // A line that only starts like JSON; keep looking upward.
    }
  }
  return undefined;
}

/** Finds the last line that names an error (Node's "TypeError: …", Python's "ValueError: …"), else returns the last line. */
function errorLine(text) {
  const lines = text.trim().split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const named = lines.filter((l) => /^([\w.]*(Error|Exception)|error)\b:?/.test(l) && !l.startsWith('at '));
  return (named.at(-1) ?? lines.at(-1) ?? 'no output').slice(0, 600);
}
