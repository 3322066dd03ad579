// The PyTorch peer: Debian's python3-torch, python3-onnx and python3-numpy used through
// /usr/bin/python3, with the OpenMP build of OpenBLAS. `preparePeer` installs the packages
// with apt-get when they are missing and the bench runs as root, and otherwise reports why
// the peer is skipped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runChild } from './proc.mjs';

export const PYTHON = '/usr/bin/python3';
const PACKAGES = ['python3-torch', 'python3-onnx', 'python3-numpy', 'libopenblas0-openmp'];
const OPENBLAS_OPENMP = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

/** Environment for every peer process: the OpenMP OpenBLAS first on the library path, so two threads work. */
export function peerEnv(extra = {}) {
  const env = { ...extra };
  if (existsSync(OPENBLAS_OPENMP)) env.LD_LIBRARY_PATH = [OPENBLAS_OPENMP, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return env;
}

/** { available: true, versions } or { available: false, reason }; `log` receives progress lines. */
export function preparePeer(log) {
  let probe = probeVersions();
  if (probe.ok) return { available: true, versions: probe.json };
  if (!existsSync(PYTHON)) log(`${PYTHON} is missing.`);
  if (process.getuid?.() !== 0) {
    return { available: false, reason: `the PyTorch peer needs ${PACKAGES.join(', ')} (apt-get as root); importing them failed: ${probe.error}` };
  }
  log(`Installing ${PACKAGES.join(' ')} with apt-get for the PyTorch peer ...`);
  const installed = aptInstall(log);
  if (!installed.ok) return { available: false, reason: `apt-get install ${PACKAGES.join(' ')} failed: ${installed.error}` };
  probe = probeVersions();
  return probe.ok ? { available: true, versions: probe.json } : { available: false, reason: `torch cannot be imported after installing: ${probe.error}` };
}

function probeVersions() {
  if (!existsSync(PYTHON)) return { ok: false, error: `${PYTHON} not found` };
  const run = runChild(PYTHON, ['bench/peer/versions.py'], { env: peerEnv(), timeoutS: 120 });
  return run.ok && run.json ? { ok: true, json: run.json } : { ok: false, error: run.error ?? 'no output' };
}

function aptInstall(log) {
  // Other processes may hold the dpkg lock for a while; retry for up to five minutes.
  let last = '';
  for (let attempt = 0; attempt < 30; attempt++) {
    const update = attempt === 0 ? spawnSync('apt-get', ['update'], { encoding: 'utf8' }) : { status: 0 };
    const install = spawnSync('apt-get', ['install', '-y', ...PACKAGES], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (update.status === 0 && install.status === 0) return { ok: true };
    last = (install.stderr || update.stderr || '').trim().split('\n').at(-1) ?? '';
    if (!/lock/i.test(last)) return { ok: false, error: last };
    log(`dpkg is locked by another process; retrying in 10 s (${attempt + 1}/30).`);
    spawnSync('sleep', ['10']);
  }
  return { ok: false, error: last };
}
