// The machine and software a benchmark ran on: CPU model and cores, memory, load average,
// Node and package versions, and (when the PyTorch peer is usable) the versions of torch,
// onnx and numpy and the BLAS library torch really loads.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(import.meta.url);

/** Version of an installed npm package, or 'not installed'. */
export function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

export function describeMachine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const field = (name) => cpuinfo.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim();
  return {
    cpu_model: field('model name') ?? os.cpus()[0]?.model ?? 'unknown',
    cpu_family_model: `${field('cpu family') ?? '?'}/${field('model') ?? '?'}`,
    cores: os.cpus().length,
    cpu_flags_avx512: /\bavx512f\b/.test(cpuinfo),
    memory_gib: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    kernel: os.release(),
    load_average_start: os.loadavg().map((v) => Number(v.toFixed(2))),
    node: process.version,
    tfjs: packageVersion('@tensorflow/tfjs-core'),
    tfjs_backend_wasm: packageVersion('@tensorflow/tfjs-backend-wasm'),
    tfjs_node: packageVersion('@tensorflow/tfjs-node'),
    onnxruntime_node: packageVersion('onnxruntime-node'),
    native_kernels: nativeBuild(),
    git_commit: gitCommit(),
    date: new Date().toISOString(),
  };
}

/** Describes the native addon's build record (native/build/status.json) in one phrase. */
function nativeBuild() {
  try {
    const status = JSON.parse(readFileSync('native/build/status.json', 'utf8'));
    return status.built ? `built with ${status.compiler}` : `not built: ${status.reason}`;
  } catch {
    return 'not built (no native/build/status.json)';
  }
}

function gitCommit() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return 'unknown';
  }
}
