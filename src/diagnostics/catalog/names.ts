// Diagnostic codes TIER2xxx: names, imports, block kinds, setting keys and literal ranges.
import type { CatalogEntry } from './entry.js';

export const namesCatalog: CatalogEntry[] = [
  { code: 'TIER2001', severity: 'error', summary: 'A name is defined twice in the same scope.' },
  { code: 'TIER2002', severity: 'error', summary: 'A top-level block has an unknown kind.' },
  { code: 'TIER2003', severity: 'error', summary: 'A block contains an unknown setting key.' },
  { code: 'TIER2004', severity: 'error', summary: 'A spec or imported file does not exist.' },
  { code: 'TIER2005', severity: 'error', summary: 'Files import each other in a cycle.' },
  { code: 'TIER2006', severity: 'error', summary: 'An import points outside the folder tree of the spec being checked.' },
  { code: 'TIER2007', severity: 'error', summary: 'A loss has a negative weight.' },
  { code: 'TIER2008', severity: 'error', summary: 'A size (axis size or bound, layer width) is zero or negative.' },
  { code: 'TIER2009', severity: 'error', summary: 'A setting is given twice in the same block.' },
  { code: 'TIER2010', severity: 'error', summary: 'A nested block has an unknown kind for its parent block.' },
  { code: 'TIER2011', severity: 'error', summary: 'A spec or imported file cannot be read, or an import does not name a .tier file.' },
  { code: 'TIER2012', severity: 'error', summary: "An encoder's modality is not 'image' or 'text'." },
  { code: 'TIER2013', severity: 'error', summary: 'A named argument is given twice in one call.' },
  { code: 'TIER2014', severity: 'warning', summary: 'A spec and its imports declare no model, data, train, eval or export block.' },
  { code: 'TIER2015', severity: 'error', summary: 'A command that needs a model got a spec that declares none.' },
  { code: 'TIER2016', severity: 'error', summary: 'A tensor is divided by a constant zero, such as a temperature of 0.' },
];
