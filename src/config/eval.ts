// `eval` and `export` blocks. Zero-shot prompts keep their order; `negatives` may add a list
// and a template (`[…] + "No {label}."`). Export options use the ONNX backend's names.
import type { EvalDecl, ExportDecl } from '../ast/index.js';
import { nestedBlocksOf, settingKey, settingsOf } from '../ast/index.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { callOf, ConfigReader, numberOf, stringListOf, wordAt } from './read.js';
import type { EvalConfig, ExportConfig, HeatmapConfig, OnnxGraphName, ZeroShotConfig } from './types.js';
import type { PathResolver } from './data.js';

export function readEval(decl: EvalDecl, diagnostics: Diagnostic[]): EvalConfig | undefined {
  const r = new ConfigReader(decl.body, diagnostics, decl.span);
  const before = diagnostics.length;
  const data = r.dottedName('data');
  if (data === undefined && r.setting('data') === undefined) r.error(`Eval '${decl.name.name}' needs 'data: NAME' or 'data: NAME.SPLIT'.`, decl.name.span);
  if (data !== undefined && data.parts.length > 2) r.error("Setting 'data' takes NAME or NAME.SPLIT.", data.span);
  const model = r.setting('model') === undefined ? undefined : r.dottedName('model')?.parts.join('.');
  const preprocess = r.setting('preprocess') === undefined ? undefined : r.dottedName('preprocess')?.parts.join('.');
  const batch = r.setting('batch') === undefined ? r.fill('batch', 64) : r.number('batch', { integer: true, min: 1 });
  const zeroshotBlock = nestedBlocksOf(decl.body).find((block) => block.keyword.name === 'zeroshot');
  const zeroshot = zeroshotBlock === undefined ? undefined : readZeroShot(new ConfigReader(zeroshotBlock.body, diagnostics, zeroshotBlock.span, 'zeroshot.'), zeroshotBlock.body);
  const metrics = readMetrics(r);
  const heatmaps = r.setting('heatmaps') === undefined ? undefined : readHeatmaps(r);
  const similarities = r.setting('similarities') === undefined ? undefined : readSimilarities(r);
  const ensemble = r.setting('ensemble') === undefined ? r.fill('ensemble', 1) : r.number('ensemble', { integer: true, min: 1 });
  if (diagnostics.length > before || data === undefined) return undefined;
  return {
    name: decl.name.name,
    data: { name: data.parts[0]!, split: data.parts[1] ?? r.fill('data.split', DEFAULT_EVAL_SPLIT) },
    model,
    preprocess,
    batch: batch!,
    zeroshot,
    metrics: metrics!,
    heatmaps,
    similarities,
    ensemble: ensemble!,
    defaulted: [...r.defaulted, ...(zeroshot?.defaulted ?? [])],
    span: decl.span,
  };
}

function readZeroShot(r: ConfigReader, body: EvalDecl['body']): (ZeroShotConfig & { defaulted: string[] }) | undefined {
  const labelsBlock = nestedBlocksOf(body).find((block) => block.keyword.name === 'labels');
  if (labelsBlock === undefined) return r.error("'zeroshot' needs a 'labels { \"Label\": [\"prompt\", …] }' block.", r.span);
  const labels: Record<string, string[]> = {};
  for (const setting of settingsOf(labelsBlock.body)) {
    const items = setting.value.items;
    const expr = items.length === 1 && items[0]!.kind === 'Phrase' && items[0].parts.length === 1 ? items[0].parts[0] : undefined;
    const prompts = expr === undefined ? undefined : stringListOf(expr);
    if (prompts === undefined || prompts.length === 0) return r.error(`Label '${settingKey(setting)}' takes a list of prompt strings.`, setting.value.span);
    labels[settingKey(setting)] = prompts;
  }
  if (Object.keys(labels).length === 0) return r.error("'labels' names no label.", labelsBlock.span);
  let negatives: string[] | undefined;
  if (r.setting('negatives') === undefined) negatives = r.fill('negatives', ['No {label}.']);
  else {
    const expr = r.expression('negatives', 'a list of prompts, optionally + "No {label}."');
    negatives = expr === undefined ? undefined : stringListOf(expr);
    if (expr !== undefined && negatives === undefined) return r.error("Setting 'negatives' takes a list of prompt strings, optionally + \"No {label}.\".", expr.span);
  }
  const score = r.setting('score') === undefined ? r.fill('score', 'difference' as const) : r.word('score', ['difference', 'softmax2'] as const);
  if (negatives === undefined || score === undefined) return undefined;
  return { labels, negatives, score, defaulted: r.defaulted };
}

/** `auroc` or `auroc(bootstrap: 1000)`. */
function readMetrics(r: ConfigReader): EvalConfig['metrics'] | undefined {
  if (r.setting('metrics') === undefined) return r.fill('metrics', { auroc: { bootstrap: false } });
  const expr = r.expression('metrics', 'auroc or auroc(bootstrap: 1000)');
  const call = expr === undefined ? undefined : callOf(expr);
  if (expr === undefined) return undefined;
  if (call?.name !== 'auroc' || call.positional.length > 0) return r.error("Setting 'metrics' takes auroc or auroc(bootstrap: 1000).", expr.span);
  let bootstrap: number | false = false;
  for (const [name, arg] of call.named) {
    const value = numberOf(arg.value);
    if (name !== 'bootstrap') return r.error(`'auroc' has no option '${name}'; its option is bootstrap.`, arg.name.span, 'TIER2104');
    if (value === undefined || !Number.isInteger(value) || value < 0) return r.error("'bootstrap' takes a whole number of resamples (0 for none).", arg.value.span, 'TIER2105');
    bootstrap = value === 0 ? false : value;
  }
  return { auroc: { bootstrap } };
}

/** `label "Cardiomegaly", reference "No Finding", upsample nearest, images 8`. */
function readHeatmaps(r: ConfigReader): HeatmapConfig | undefined {
  const form = 'label "NAME", reference "NAME", upsample nearest, images 8';
  const config: Partial<HeatmapConfig> = {};
  for (const phrase of r.phrases('heatmaps') ?? []) {
    const word = wordAt(phrase, 0);
    const value = phrase.parts[1];
    if (phrase.parts.length === 2 && value?.kind === 'StringLiteral' && (word === 'label' || word === 'reference')) config[word] = value.value;
    else if (phrase.parts.length === 2 && word === 'upsample' && value?.kind === 'Identifier' && (value.name === 'nearest' || value.name === 'bilinear')) config.upsample = value.name;
    else if (phrase.parts.length === 2 && word === 'images' && value !== undefined && Number.isInteger(numberOf(value)) && numberOf(value)! > 0) config.images = numberOf(value)!;
    else if (phrase.parts.length === 2 && word === 'percentiles' && value?.kind === 'RangeExpr') {
      const low = numberOf(value.start);
      const high = numberOf(value.end);
      if (low === undefined || high === undefined || !(low >= 0 && low < high && high <= 100)) return r.error("'percentiles' takes low..high within 0..100, such as 1..99.", value.span);
      config.percentiles = [low, high];
    } else return r.error(`Setting 'heatmaps' takes ${form}.`, phrase.span);
  }
  if (config.label === undefined) return r.error(`Setting 'heatmaps' needs the label to draw: ${form}.`, r.setting('heatmaps')!.value.span);
  return {
    label: config.label,
    reference: config.reference,
    upsample: config.upsample ?? r.fill('heatmaps.upsample', 'nearest'),
    images: config.images ?? r.fill('heatmaps.images', 8),
    percentiles: config.percentiles ?? r.fill('heatmaps.percentiles', [1, 99]),
  };
}

/** `images 100`: rank-ordered similarities over the first 100 images. */
function readSimilarities(r: ConfigReader): EvalConfig['similarities'] {
  const phrase = r.phrases('similarities')?.[0];
  const count = phrase?.parts[1] === undefined ? undefined : numberOf(phrase.parts[1]);
  if (phrase === undefined || wordAt(phrase, 0) !== 'images' || count === undefined || !Number.isInteger(count) || count < 1 || phrase.parts.length !== 2) {
    return r.error("Setting 'similarities' takes images N, such as images 100.", r.setting('similarities')?.value.span);
  }
  return { images: count };
}

/** Placeholder for an eval split left out; `readConfigs` replaces it once the data block is known. */
export const DEFAULT_EVAL_SPLIT = '';

const GRAPHS: readonly OnnxGraphName[] = ['image_tower', 'text_tower', 'similarity_map', 'zeroshot'];

export function readExport(decl: ExportDecl, diagnostics: Diagnostic[], resolvePath: PathResolver, onlyModel: string | undefined): ExportConfig | undefined {
  const r = new ConfigReader(decl.body, diagnostics, decl.span);
  const before = diagnostics.length;
  if (decl.format.name !== 'onnx') return r.error(`Export format '${decl.format.name}' is not supported; the format is onnx.`, decl.format.span);
  const model = r.setting('model') === undefined ? onlyModel : r.dottedName('model')?.parts.join('.');
  if (model === undefined && r.setting('model') === undefined) r.error("Export needs 'model: NAME' when the spec has several models.", decl.span);
  const checkpoint = r.setting('checkpoint') === undefined ? undefined : r.string('checkpoint');
  const opset = r.setting('opset') === undefined ? r.fill('opset', 17) : r.number('opset', { integer: true, min: 13, max: 21, form: 'an ONNX opset from 13 to 21' });
  let graphs: OnnxGraphName[] | undefined;
  if (r.setting('graphs') === undefined) graphs = r.fill('graphs', ['image_tower', 'text_tower']);
  else {
    const list = r.wordList('graphs');
    const unknown = list?.words.find((word) => !(GRAPHS as readonly string[]).includes(word));
    if (unknown !== undefined) r.error(`'${unknown}' is not an ONNX graph; the graphs are ${GRAPHS.join(', ')}.`, list!.span, 'TIER2105');
    else graphs = list?.words as OnnxGraphName[] | undefined;
  }
  const dynamic = r.setting('dynamic') === undefined ? r.fill('dynamic', ['batch', 'token']) : r.wordList('dynamic')?.words;
  const output = r.setting('output') === undefined ? r.fill('output', resolvePath(`export/${model ?? 'model'}`)) : r.string('output');
  if (diagnostics.length > before || model === undefined || opset === undefined || graphs === undefined || dynamic === undefined || output === undefined) return undefined;
  return {
    format: 'onnx',
    model,
    checkpoint: checkpoint === undefined ? undefined : resolvePath(checkpoint),
    opset,
    graphs,
    dynamic,
    output: r.setting('output') === undefined ? output : resolvePath(output),
    defaulted: r.defaulted,
    span: decl.span,
  };
}
