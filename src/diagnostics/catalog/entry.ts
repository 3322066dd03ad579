// The type of one catalog entry.
import type { Severity } from '../types.js';

export interface CatalogEntry {
  code: string;
  severity: Severity;
  /** A one-line summary of the problem, used in docs and `tierc explain-code`. */
  summary: string;
  retired?: boolean;
}
