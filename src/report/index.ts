// Reports of a training run: pictures (heatmap overlays, training curves, rank-ordered
// similarity), the run directory reader and the self-contained HTML page.
export { buildReport, escapeHtml, renderReport, writeReport, type BuiltReport, type ReportOptions } from './html.js';
export { computeFigures, type Figures, type Picture } from './figures.js';
export {
  loadRunDirectory,
  parseMetricsJsonl,
  parseSettings,
  type HeatmapImage,
  type HeatmapInputs,
  type RunDirectory,
  type RunSettings,
  type SimilarityModel,
} from './rundir.js';
export { readTensor, type TensorRef } from './files.js';
export {
  appendMetrics,
  writeEvaluation,
  writeHeatmapInputs,
  writeSettings,
  writeSimilarityInputs,
  writeTensor,
  type HeatmapWriteInput,
  type SettingsInput,
  type SimilarityWriteModel,
} from './write.js';
export { aurocFormat, ensembleScoresInputs, evaluationsFromJson, parseScoresInput, tableFromScores, type NamedTable, type ScoresInput } from './scores.js';
export { renderHeatmapOverlay, type GrayImage, type OverlayOptions } from './plots/heatmap.js';
export { trainingCurvesSvg, seriesFromRecords, movingAverage, type CurveOptions, type CurveSeries, type MetricsRecord } from './plots/curves.js';
export { rankedSimilaritySvg, type RankChartOptions, type RankedModel } from './plots/rank.js';
export { divergingColor, divergingHex } from './plots/colormap.js';
export { niceTicks, formatTick, svgToPng } from './plots/svg.js';
