// Diagnostic codes TIER9xxx: broken invariants surfaced to the user.
import type { CatalogEntry } from './entry.js';

export const internalCatalog: CatalogEntry[] = [];
