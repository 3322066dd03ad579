// Regenerates the language reference and the CST types from the parser:
//   grammar/tier.ebnf, grammar/diagrams.html, src/syntax/cst.ts
// Run `npm run build` first; then `node scripts/grammar.mjs`. A test fails when these are stale.
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cstTypesSource, grammarDiagramsHtml, grammarEbnf } from '../dist/syntax/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = [
  ['grammar/tier.ebnf', grammarEbnf()],
  ['grammar/diagrams.html', grammarDiagramsHtml()],
  ['src/syntax/cst.ts', cstTypesSource()],
];
for (const [path, text] of outputs) {
  const target = join(root, path);
  const temporary = `${target}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, target);
  console.log(`wrote ${path}`);
}
