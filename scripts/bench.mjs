// `npm run bench`: measures tierc against the PyTorch peer on this machine and writes
// docs/benchmarks.md and docs/benchmarks.json. Sections: compile time, training throughput
// and the regularizer's cost, ONNX inference latency and node counts, peak memory, and
// scaling with depth, width and image size. Every figure is a ratio against the peer
// measured in the same run. Not part of `npm test`.
//
// Usage: node scripts/bench.mjs [--quick] [--no-build] [--no-peer] [--out DIR]
//          [--only compile,training,inference,scaling]
// --quick runs fewer rounds and skips the paper-scale compile (about a third of the time).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { describeMachine } from '../bench/lib/machine.mjs';
import { preparePeer } from '../bench/lib/peer.mjs';
import { parseArgs } from '../bench/lib/util.mjs';
import { renderReport } from '../bench/report.mjs';
import { benchCompile, probeCli } from '../bench/sections/compile.mjs';
import { benchInference } from '../bench/sections/inference.mjs';
import { benchScaling } from '../bench/sections/scaling.mjs';
import { benchTraining } from '../bench/sections/training.mjs';
import { evaluateTargets } from '../bench/targets.mjs';

const SECTIONS = ['compile', 'training', 'inference', 'scaling'];
const args = parseArgs(process.argv.slice(2));
const only = args.only ? String(args.only).split(',') : SECTIONS;
for (const name of only) {
  if (!SECTIONS.includes(name)) {
    process.stderr.write(`Unknown section '${name}' in --only; the sections are ${SECTIONS.join(', ')}.\n`);
    process.exit(2);
  }
}
const outDir = args.out ?? 'docs';
const started = performance.now();
const log = (line) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

if (!args['no-build']) {
  log('building with tsc');
  const build = spawnSync('node_modules/.bin/tsc', ['-p', 'tsconfig.json'], { encoding: 'utf8' });
  if (build.status !== 0) {
    process.stderr.write(`The build failed, so the benchmark would measure stale code:\n${(build.stdout || build.stderr).slice(0, 3000)}\n`);
    process.exit(1);
  }
}

const tmp = mkdtempSync(join(os.tmpdir(), 'tierc-bench-'));
const ctx = {
  quick: Boolean(args.quick),
  log,
  tmp,
  removeTmp: (dir) => rmSync(dir, { recursive: true, force: true }),
  peer: args['no-peer'] ? { available: false, reason: 'skipped with --no-peer' } : preparePeer(log),
  cli: probeCli(),
  cliFailures: [],
};
if (!ctx.peer.available) log(`PyTorch peer skipped: ${ctx.peer.reason}`);
if (!ctx.cli.available) log(`tierc CLI compile: ${ctx.cli.reason}`);

const results = { quick: ctx.quick, machine: describeMachine(), peer: ctx.peer, cli: ctx.cli };
try {
  if (only.includes('compile')) results.compile = runSection('compile', () => benchCompile(ctx));
  if (only.includes('training')) results.training = runSection('training', () => benchTraining(ctx));
  if (only.includes('inference')) results.inference = runSection('inference', () => benchInference(ctx));
  if (only.includes('scaling')) results.scaling = runSection('scaling', () => benchScaling(ctx, results.training?.tierc_source ?? 'spec'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
results.cliFailures = ctx.cliFailures;
results.machine.load_average_end = os.loadavg().map((v) => Number(v.toFixed(2)));
results.duration_s = (performance.now() - started) / 1000;
results.targets = evaluateTargets(results);

mkdirSync(outDir, { recursive: true });
writeAtomically(join(outDir, 'benchmarks.json'), `${JSON.stringify(results, null, 1)}\n`);
writeAtomically(join(outDir, 'benchmarks.md'), renderReport(results));
log(`wrote ${join(outDir, 'benchmarks.md')} and ${join(outDir, 'benchmarks.json')}`);
for (const t of results.targets) log(`${t.id}: ${t.met === undefined ? 'not available' : t.met ? 'met' : 'missed'} (${t.measured?.toFixed?.(3) ?? 'n/a'}) ${t.note ?? ''}`);

/** Runs one section; an exception becomes { error } on the page instead of ending the whole run. */
function runSection(name, body) {
  try {
    return body();
  } catch (error) {
    log(`section '${name}' failed: ${error instanceof Error ? error.stack : error}`);
    return { error: `the ${name} section failed: ${error instanceof Error ? error.message : error}` };
  }
}

function writeAtomically(path, text) {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, text);
  renameSync(temp, path);
}
