// CLI start-up benchmark (not a test): the wall and CPU time of `tierc --version`,
// `tierc check specs/phantom_small.tier` and `tierc compile … --target onnx`, each run as a new
// process. With a second build folder it compares two builds, alternating their runs in each
// round so that a change in machine load affects both alike. Needs GNU time at /usr/bin/time.
// Run `npm run build` first; then
//   node scripts/bench-startup.mjs [rounds] [OTHER_BUILD/dist/cli/main.js]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 5);
const builds = [['this build', join(root, 'dist/cli/main.js')]];
if (process.argv[3] !== undefined) builds.push(['other build', process.argv[3]]);

const output = mkdtempSync(join(tmpdir(), 'tierc-startup-'));
const commands = [
  ['--version', ['--version']],
  ['check', ['check', 'specs/phantom_small.tier']],
  ['compile onnx', ['compile', 'specs/phantom_small.tier', '--target', 'onnx', '-o', output]],
];

const samples = new Map();
function record(key, wall, cpu) {
  if (!samples.has(key)) samples.set(key, { wall: [], cpu: [] });
  samples.get(key).wall.push(wall);
  samples.get(key).cpu.push(cpu);
}

for (let round = 0; round < rounds; round++) {
  for (const [name, args] of commands) {
    const order = round % 2 === 0 ? builds : [...builds].reverse();
    for (const [build, main] of order) {
      const start = process.hrtime.bigint();
      const result = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, main, ...args], { cwd: root, encoding: 'utf8' });
      const wall = Number(process.hrtime.bigint() - start) / 1e6;
      if (result.status !== 0) throw new Error(`${build}: tierc ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
      const [, user, system] = result.stderr.trim().split('\n').pop().split(' ');
      record(`${name} (${build})`, wall, (Number(user) + Number(system)) * 1000);
    }
  }
}
rmSync(output, { recursive: true, force: true });

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`median of ${rounds} runs each`);
for (const [key, { wall, cpu }] of samples) {
  console.log(`${key.padEnd(32)} wall ${median(wall).toFixed(0).padStart(5)} ms   cpu ${median(cpu).toFixed(0).padStart(5)} ms`);
}
