#!/usr/bin/env node
// Checks every .tier spec in a folder with the tierc library and prints one table row per
// model: parameters in total and trainable, per encoder and for the heads and the rest.
// Usage: node examples/embed/check-folder.mjs [FOLDER]   (default: specs/)
// Exit code 1 when any spec has errors; their diagnostics go to stderr.
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { check, nodeHost, renderDiagnostics } from 'tierc';

const folder = resolve(process.argv[2] ?? 'specs');
const host = nodeHost(folder);
const specs = readdirSync(folder).filter((name) => name.endsWith('.tier')).sort();

function countOf(module, component) {
  let total = 0;
  let trainable = 0;
  for (const param of module.params) {
    if (param.role === 'buffer') continue;
    if (component !== undefined && !component(param.component)) continue;
    const size = param.shape.reduce((a, b) => a * b, 1);
    total += size;
    if (param.trainable) trainable += size;
  }
  return { total, trainable };
}

const rows = [['spec', 'model', 'image', 'text', 'heads and rest', 'total', 'trainable']];
let failed = false;
for (const spec of specs) {
  const result = check({ entry: spec, host, cwd: folder });
  if (!result.ok) {
    failed = true;
    process.stderr.write(renderDiagnostics(result.diagnostics, { sources: (file) => result.sources.get(file) }));
    rows.push([spec, '(errors)', '', '', '', '', '']);
    continue;
  }
  for (const model of result.models) {
    const all = countOf(model.module);
    const image = countOf(model.module, (c) => c === 'image').total;
    const text = countOf(model.module, (c) => c === 'text').total;
    const rest = countOf(model.module, (c) => c !== 'image' && c !== 'text').total;
    rows.push([spec, model.name, ...[image, text, rest, all.total, all.trainable].map((n) => n.toLocaleString('en-US'))]);
  }
}

const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
for (const row of rows) {
  process.stdout.write(`${row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')}\n`);
}
process.exitCode = failed ? 1 : 0;
