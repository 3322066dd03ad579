// Diagnostic codes TIER3xxx: types, named axes and shapes.
import type { CatalogEntry } from './entry.js';

export const shapesCatalog: CatalogEntry[] = [];
