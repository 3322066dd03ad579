// Diagnostic codes TIER7xxx: zero-shot scoring, metrics, localization, run directories and reports.
import type { CatalogEntry } from './entry.js';

export const evalCatalog: CatalogEntry[] = [
  // Labels, scores and metrics.
  { code: 'TIER7001', severity: 'error', summary: 'Scores and labels of a label have different lengths.' },
  { code: 'TIER7002', severity: 'error', summary: 'A label value is not 1, 0, -1 or blank.' },
  { code: 'TIER7003', severity: 'warning', summary: 'AUROC of a label is undefined because only one class is present.' },
  { code: 'TIER7004', severity: 'warning', summary: 'Some bootstrap resamples contained one class only and were skipped.' },
  { code: 'TIER7005', severity: 'error', summary: 'A score is not a finite number.' },
  { code: 'TIER7006', severity: 'error', summary: 'The bootstrap options are invalid (resample count, confidence level).' },
  { code: 'TIER7007', severity: 'error', summary: 'A label has scores but no labels, or labels but no scores.' },
  { code: 'TIER7008', severity: 'error', summary: 'The label policy has an unknown setting.' },
  // Prompts and zero-shot scoring.
  { code: 'TIER7010', severity: 'error', summary: 'A zero-shot prompt set is empty.' },
  { code: 'TIER7011', severity: 'error', summary: 'A prompt contains a placeholder other than {label}.' },
  { code: 'TIER7012', severity: 'error', summary: 'The text encoder returned the wrong number of embeddings.' },
  { code: 'TIER7013', severity: 'error', summary: 'Embedding widths disagree between images, prompts or patches.' },
  { code: 'TIER7014', severity: 'error', summary: 'An embedding has zero length or non-finite values and cannot be normalized.' },
  { code: 'TIER7015', severity: 'error', summary: 'Checkpoints of an ensemble disagree on labels or image count.' },
  { code: 'TIER7016', severity: 'error', summary: 'The score rule or logit scale is invalid.' },
  // Localization.
  { code: 'TIER7020', severity: 'error', summary: 'The patch count does not match the grid shape.' },
  { code: 'TIER7021', severity: 'error', summary: 'A mask does not have the size of its heatmap or image.' },
  { code: 'TIER7022', severity: 'error', summary: 'The reference label of a heatmap has no prompt embedding.' },
  { code: 'TIER7023', severity: 'error', summary: 'The percentile or upsampling options of a heatmap are invalid.' },
  { code: 'TIER7024', severity: 'error', summary: 'A tensor has a shape other than the one the computation needs.' },
  // Score files, run directories and reports.
  { code: 'TIER7030', severity: 'error', summary: 'A scores file is missing, not JSON, or not of the documented form.' },
  { code: 'TIER7031', severity: 'error', summary: 'The run directory or its settings.json is missing.' },
  { code: 'TIER7032', severity: 'error', summary: 'A file of the run directory is malformed.' },
  { code: 'TIER7033', severity: 'error', summary: 'A binary tensor file does not have the size its shape declares.' },
  { code: 'TIER7034', severity: 'warning', summary: 'An optional file of the run directory is absent, so its report section is left out.' },
  { code: 'TIER7035', severity: 'error', summary: 'The report or results file could not be written.' },
  { code: 'TIER7036', severity: 'error', summary: 'An image or mask of the run directory could not be decoded.' },
  { code: 'TIER7037', severity: 'error', summary: 'A path in the run directory points outside it.' },
];
