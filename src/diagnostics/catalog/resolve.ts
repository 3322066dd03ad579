// Diagnostic codes TIER21xx: name resolution, calls and options, found while models and
// settings blocks are checked against the standard library and each other.
import type { CatalogEntry } from './entry.js';

export const resolveCatalog: CatalogEntry[] = [
  { code: 'TIER2101', severity: 'error', summary: 'A name is not defined in the model, its imports or the standard library.' },
  { code: 'TIER2102', severity: 'error', summary: 'A user-defined block, head or value has the name of a standard-library block.' },
  { code: 'TIER2103', severity: 'error', summary: 'A call has more positional arguments than the block takes.' },
  { code: 'TIER2104', severity: 'error', summary: 'A call names an option or parameter the block or model does not have.' },
  { code: 'TIER2105', severity: 'error', summary: 'An option or argument value has the wrong type or is out of range.' },
  { code: 'TIER2106', severity: 'error', summary: 'A freeze pattern matches no sub-module or parameter.' },
  { code: 'TIER2107', severity: 'error', summary: 'A user-defined block uses itself, directly or through other blocks.' },
  { code: 'TIER2108', severity: 'error', summary: 'A required argument or model parameter is not given.' },
  { code: 'TIER2109', severity: 'error', summary: 'A name is used as something it is not (a value as a layer, a model as a value).' },
  { code: 'TIER2110', severity: 'error', summary: 'Two files of a program declare the same top-level name (reported as TIER2001 by the front end).', retired: true },
  { code: 'TIER2111', severity: 'error', summary: 'An axis has the same name as a value of the model.' },
  { code: 'TIER2112', severity: 'error', summary: 'A model uses an encoder it does not declare, or declares one twice.' },
  { code: 'TIER2113', severity: 'error', summary: 'An encoder has no output of the given name.' },
  { code: 'TIER2114', severity: 'error', summary: 'A setting value does not have the form its key takes.' },
  { code: 'TIER2115', severity: 'error', summary: 'A setting refers to a model, data, preprocess or eval block that is not declared.' },
  { code: 'TIER2116', severity: 'error', summary: 'A model declares no loss, so there is nothing to train.' },
  { code: 'TIER2118', severity: 'warning', summary: 'A requested ONNX graph needs data compiling alone cannot provide, so it is left out (compile now writes the zero-shot graph or fails with TIER4008).', retired: true },
  { code: 'TIER2117', severity: 'error', summary: 'A model instance does not name a model with a call or a bare name.' },
];
