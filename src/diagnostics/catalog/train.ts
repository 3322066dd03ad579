// Diagnostic codes TIER6xxx: training, checkpoints and weights.
import type { CatalogEntry } from './entry.js';

export const trainCatalog: CatalogEntry[] = [];
