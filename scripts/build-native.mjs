// Compiles the optional native SGEMM addon (native/*.c) into native/build/tierc_native.node
// with the C compiler named by the CC environment variable, or `cc`. The addon declares the
// Node-API functions it uses itself, so the build needs no node headers and no network.
//
// The script always exits 0, so the build never fails an install. It writes native/build/status.json:
// { built: true, compiler, flags, seconds } on success, or { built: false, reason } when no
// compiler runs or the compile fails. The runtime reads the reason to say why it runs
// without the addon. The addon is written under a temporary name, then renamed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIR = join(ROOT, 'native');
const BUILD_DIR = join(SOURCE_DIR, 'build');
const ADDON = join(BUILD_DIR, 'tierc_native.node');
const STATUS = join(BUILD_DIR, 'status.json');
const FLAGS = ['-std=c11', '-O3', '-shared', '-fPIC', '-pthread', '-fvisibility=hidden', '-Wall'];

/** Writes status.json through a temporary file and prints the one-line summary. */
function finish(status, line) {
  mkdirSync(BUILD_DIR, { recursive: true });
  const temporary = `${STATUS}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(status, null, 2)}\n`);
  renameSync(temporary, STATUS);
  console.log(line);
}

function notBuilt(reason) {
  rmSync(ADDON, { force: true });
  finish({ built: false, reason }, `tierc native kernels not built: ${reason}`);
}

/** Returns the last non-empty line of the compiler's output that mentions an error, or its last line. */
function errorLine(output) {
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => /error/i.test(line)) ?? lines.at(-1) ?? 'no output';
}

function build() {
  if (process.platform === 'win32') {
    notBuilt('the native build supports Linux and macOS only, because Windows addons must link against node.lib.');
    return;
  }
  const [compiler, ...compilerArgs] = (process.env.CC?.trim() || 'cc').split(/\s+/);
  const version = spawnSync(compiler, [...compilerArgs, '--version'], { encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) {
    const failure = version.error?.code === 'ENOENT' ? 'was not found' : 'did not run';
    notBuilt(`the C compiler '${compiler}' ${failure}; install one or set CC to build the native kernels.`);
    return;
  }
  const compilerName = version.stdout.split('\n')[0].trim();

  const sources = readdirSync(SOURCE_DIR).filter((name) => name.endsWith('.c')).sort().map((name) => join(SOURCE_DIR, name));
  // macOS resolves the Node-API symbols from the node binary only when undefined symbols are
  // allowed. On Linux, nodelete keeps the library mapped after a worker thread that loaded it
  // exits, because the pool's threads still wait inside its code.
  // NOTE: only the Linux build (gcc 12, x86-64) has been run; the macOS flags are untested.
  const platformFlags = process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : ['-Wl,-z,nodelete'];
  const flags = [...FLAGS, ...platformFlags];
  mkdirSync(BUILD_DIR, { recursive: true });
  const temporary = `${ADDON}.${process.pid}.tmp`;
  const started = performance.now();
  const compile = spawnSync(compiler, [...compilerArgs, ...flags, ...sources, '-o', temporary], { encoding: 'utf8' });
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  if (compile.error !== undefined || compile.status !== 0) {
    rmSync(temporary, { force: true });
    const detail = compile.error?.message ?? errorLine(`${compile.stderr}\n${compile.stdout}`);
    notBuilt(`the C compiler '${compiler}' failed: ${detail}`);
    return;
  }
  // The loader compares the file with this digest before loading it: loading a truncated
  // shared library can end the process with SIGBUS, which no JavaScript handler catches.
  const sha256 = createHash('sha256').update(readFileSync(temporary)).digest('hex');
  renameSync(temporary, ADDON);
  finish({ built: true, compiler: compilerName, flags, seconds, sha256 }, `tierc native kernels built with ${compilerName} in ${seconds} s`);
}

try {
  build();
} catch (error) {
  // The build is optional: report the failure in status.json and leave the install running.
  try {
    notBuilt(`the native build failed: ${error instanceof Error ? error.message : String(error)}`);
  } catch {
    console.log(`tierc native kernels not built: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exitCode = 0;
