// Diagnostic codes TIER5xxx: manifests, image files, report text, tokenizers and the data loader.
import type { CatalogEntry } from './entry.js';

export const dataCatalog: CatalogEntry[] = [
  { code: 'TIER5001', severity: 'error', summary: 'The manifest file is missing or cannot be read.' },
  { code: 'TIER5002', severity: 'error', summary: 'The manifest is not valid UTF-8 text.' },
  { code: 'TIER5003', severity: 'error', summary: 'The CSV manifest is malformed (unclosed quote, wrong field count).' },
  { code: 'TIER5004', severity: 'error', summary: 'A JSONL manifest line is not a JSON object.' },
  { code: 'TIER5005', severity: 'error', summary: 'A column named by the options is not in the manifest.' },
  { code: 'TIER5006', severity: 'error', summary: 'A row has an unknown split value.' },
  { code: 'TIER5007', severity: 'error', summary: 'A label cell holds a value other than 1, 0, -1 or blank.' },
  { code: 'TIER5008', severity: 'error', summary: 'A row has an empty report text.' },
  { code: 'TIER5009', severity: 'error', summary: 'The split fractions are invalid or a split is empty.' },
  { code: 'TIER5010', severity: 'error', summary: 'An image or mask path points outside the data root.' },
  { code: 'TIER5011', severity: 'error', summary: 'An image or mask file does not exist.' },
  { code: 'TIER5012', severity: 'error', summary: 'A file is not a PNG, JPEG or DICOM image.' },
  { code: 'TIER5013', severity: 'error', summary: 'The image dimensions in the file header exceed the configured limit.' },
  { code: 'TIER5014', severity: 'error', summary: 'The image data is truncated or corrupt.' },
  { code: 'TIER5015', severity: 'error', summary: 'A DICOM file has no pixel data.' },
  { code: 'TIER5016', severity: 'error', summary: 'A DICOM transfer syntax or pixel format is not supported.' },
  { code: 'TIER5017', severity: 'warning', summary: 'A row was skipped because its image could not be used.' },
  { code: 'TIER5020', severity: 'error', summary: 'A tokenizer vocabulary file is missing or invalid.' },
  { code: 'TIER5021', severity: 'warning', summary: 'Reports are longer than the maximum token length and are truncated.' },
  { code: 'TIER5022', severity: 'error', summary: 'Tokenizer training options or text are invalid.' },
  { code: 'TIER5030', severity: 'error', summary: 'An image transform has an invalid option.' },
  { code: 'TIER5031', severity: 'error', summary: 'The image pipeline does not end at one fixed size.' },
  { code: 'TIER5032', severity: 'error', summary: 'A data loader worker failed.' },
  { code: 'TIER5040', severity: 'error', summary: 'The phantom generator options are invalid.' },
];
