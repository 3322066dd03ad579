// The merged catalog of every diagnostic code. Each range file appends its own entries; add a
// new range file here with one import and one spread.
import type { CatalogEntry } from './entry.js';
import { syntaxCatalog } from './syntax.js';
import { namesCatalog } from './names.js';
import { resolveCatalog } from './resolve.js';
import { shapesCatalog } from './shapes.js';
import { dataCatalog } from './data.js';
import { trainCatalog } from './train.js';
import { evalCatalog } from './eval.js';
import { internalCatalog } from './internal.js';
import { pipelineCatalog } from './pipeline.js';

export type { CatalogEntry } from './entry.js';

export const catalog: CatalogEntry[] = [
  ...syntaxCatalog,
  ...namesCatalog,
  ...resolveCatalog,
  ...shapesCatalog,
  ...dataCatalog,
  ...trainCatalog,
  ...evalCatalog,
  ...pipelineCatalog,
  ...internalCatalog,
];

const byCode = new Map(catalog.map((entry) => [entry.code, entry]));

/** Looks up the catalog entry of `code`; undefined for a code that no range file defines. */
export function catalogEntry(code: string): CatalogEntry | undefined {
  return byCode.get(code);
}
