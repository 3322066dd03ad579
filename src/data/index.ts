// The data layer: manifests, image decoding, transforms, report text, tokenizers, the batch
// loader, dataset checks and the synthetic phantom. Plain option objects in, typed data out.
export { DataError, formatIssue, issueToDiagnostic, type DataIssue } from './errors.js';
export {
  readManifest,
  parseLabel,
  assignGroupValues,
  defaultSplitValues,
  type BlankPolicy,
  type Manifest,
  type ManifestOptions,
  type ManifestRow,
  type SplitOptions,
  type UncertainPolicy,
} from './manifest.js';
export { resolveInsideRoot, resolveExistingInsideRoot, type PathCheck } from './paths.js';
export { decodeImage, decodeImageFile, setChannels, sniffFormat, defaultMaxDimension, type FloatImage, type ImageDecodeOptions, type ImageFormat } from './image.js';
export type { DicomWindow } from './dicom.js';
export {
  applyTransforms,
  describePreprocess,
  imagenetMean,
  imagenetStd,
  validateTransforms,
  type PreprocessMetadata,
  type Size,
  type TransformSpec,
} from './transforms.js';
export { loadMask, type Mask } from './mask.js';
export { createRandom, mixSeed, type Random } from './random.js';
export { cleanReport, extractSection, processReport, splitSections, type ReportTextOptions } from './text.js';
export {
  basicTokenize,
  encodeBatch,
  encodeText,
  padBatch,
  HuggingFaceTokenizer,
  loadTokenizer,
  trainWordPiece,
  WordPieceTokenizer,
  type EncodedBatch,
  type EncodeOptions,
  type TextTokenizer,
  type WordPieceOptions,
  type WordPieceTrainOptions,
} from './tokenizer/index.js';
export { createLoader, DataLoader, type Batch, type LoaderCursor, type LoaderOptions, type LoaderStats } from './loader.js';
export { openDataset, trainingTransforms, type Dataset, type DatasetOptions, type LoaderRequest } from './dataset.js';
export { checkDataset, type CheckOptions, type DataCheckReport } from './check.js';
export { generatePhantom, synthesizePhantom, findingNames, findingSlug, phantomSplitFractions, phantomVersion, type FindingName, type PhantomOptions, type PhantomStamp, type PhantomSummary } from './phantom/index.js';
export { contactSheet } from './phantom/contact-sheet.js';
