// `train` blocks: model and data references, batch, duration, optimizer, learning-rate
// schedule, augmentation, freezing, checkpoints and seed. Defaults follow the official TIER
// training (Adam, constant schedule); each one filled in is listed in `defaulted`.
import type { TrainDecl } from '../ast/index.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { patternText } from '../lower/options.js';
import { readTransforms } from './data.js';
import { callOf, ConfigReader, dottedParts, numberOf, wordAt } from './read.js';
import type { CheckpointConfig, Duration, LrSchedule, OptimizerConfig, TrainConfig } from './types.js';

export function readTrain(decl: TrainDecl, diagnostics: Diagnostic[]): TrainConfig | undefined {
  const r = new ConfigReader(decl.body, diagnostics, decl.span);
  const before = diagnostics.length;
  const model = r.dottedName('model');
  if (model === undefined && r.setting('model') === undefined) r.error("Train needs 'model: NAME'.", decl.span);
  if (model !== undefined && model.parts.length !== 1) r.error("Setting 'model' takes the name of a model.", model.span);
  const data = r.dottedName('data');
  if (data === undefined && r.setting('data') === undefined) r.error("Train needs 'data: NAME' or 'data: NAME.SPLIT'.", decl.span);
  if (data !== undefined && data.parts.length > 2) r.error("Setting 'data' takes NAME or NAME.SPLIT.", data.span);
  const preprocess = r.setting('preprocess') === undefined ? undefined : r.dottedName('preprocess')?.parts.join('.');
  const batch = r.setting('batch') === undefined ? r.fill('batch', 32) : r.number('batch', { integer: true, min: 1 });
  const duration = r.setting('duration') === undefined ? r.fill('duration', { unit: 'epochs', value: 50 } as Duration) : readDuration(r, 'duration');
  const optimizer = readOptimizer(r);
  const schedule = readSchedule(r);
  const augmentExpr = r.setting('augment') === undefined ? undefined : r.expression('augment', 'a pipe of image steps');
  const augment = augmentExpr === undefined ? r.fill('augment', []) : readTransforms(augmentExpr, diagnostics);
  const freeze = readFreeze(r);
  const checkpoint = readCheckpoint(r);
  const seed = r.setting('seed') === undefined ? r.fill('seed', 0) : r.number('seed', { integer: true, min: 0 });
  const evals = r.setting('eval') === undefined ? r.fill('eval', [] as string[]) : r.wordList('eval')?.words;
  if (diagnostics.length > before) return undefined;
  return {
    name: decl.name?.name,
    model: model!.parts[0]!,
    data: { name: data!.parts[0]!, split: data!.parts[1] ?? r.fill('data.split', 'train') },
    preprocess,
    batch: batch!,
    duration: duration!,
    optimizer: optimizer!,
    schedule: schedule!,
    augment: augment!,
    freeze: freeze!,
    checkpoint: checkpoint!,
    seed: seed!,
    eval: evals!,
    defaulted: r.defaulted,
    span: decl.span,
  };
}

/** `50 epochs`, `200 steps`, `1 epoch`. */
function readDuration(r: ConfigReader, key: string): Duration | undefined {
  const phrases = r.phrases(key);
  const phrase = phrases?.[0];
  if (phrase === undefined || phrases!.length !== 1) return r.error(`Setting '${key}' takes a count and a unit, such as 50 epochs or 200 steps.`, r.setting(key)?.value.span);
  return durationOf(r, phrase.parts, key);
}

function durationOf(r: ConfigReader, parts: import('../ast/index.js').Expr[], key: string): Duration | undefined {
  const value = parts[0] === undefined ? undefined : numberOf(parts[0]);
  const unit = parts[1]?.kind === 'Identifier' ? parts[1].name : undefined;
  const span = parts[0]?.span;
  if (parts.length !== 2 || value === undefined || !Number.isInteger(value) || value < 1 || unit === undefined) {
    return r.error(`Setting '${key}' takes a count and a unit, such as 50 epochs or 200 steps.`, span);
  }
  if (unit === 'epoch' || unit === 'epochs') return { unit: 'epochs', value };
  if (unit === 'step' || unit === 'steps') return { unit: 'steps', value };
  return r.error(`The unit of '${key}' must be epochs or steps, not '${unit}'.`, parts[1]!.span);
}

const OPTIMIZER_DEFAULTS: Record<OptimizerConfig['kind'], Omit<OptimizerConfig, 'kind'>> = {
  adam: { lr: 1e-4, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, momentum: 0 },
  adamw: { lr: 1e-4, weightDecay: 0.01, betas: [0.9, 0.999], eps: 1e-8, momentum: 0 },
  sgd: { lr: 0.01, weightDecay: 0, betas: [0.9, 0.999], eps: 1e-8, momentum: 0 },
};

/** `adam(lr: 1e-4, weight_decay: 1e-6)`, `adamw(…)`, `sgd(lr: 0.1, momentum: 0.9)`. */
function readOptimizer(r: ConfigReader): OptimizerConfig | undefined {
  if (r.setting('optimizer') === undefined) return r.fill('optimizer', { kind: 'adam', ...OPTIMIZER_DEFAULTS.adam });
  const expr = r.expression('optimizer', 'adam(…), adamw(…) or sgd(…)');
  const call = expr === undefined ? undefined : callOf(expr);
  if (expr === undefined) return undefined;
  if (call === undefined || !(call.name in OPTIMIZER_DEFAULTS)) {
    const hint = call === undefined ? '' : didYouMean(call.name, Object.keys(OPTIMIZER_DEFAULTS));
    return r.error(`Setting 'optimizer' takes adam(lr: …), adamw(lr: …) or sgd(lr: …).${hint}`, expr.span);
  }
  const kind = call.name as OptimizerConfig['kind'];
  const config: OptimizerConfig = { kind, ...OPTIMIZER_DEFAULTS[kind], betas: [...OPTIMIZER_DEFAULTS[kind].betas] };
  const keys: Record<string, 'lr' | 'weightDecay' | 'eps' | 'momentum'> = { lr: 'lr', weight_decay: 'weightDecay', eps: 'eps', momentum: 'momentum' };
  const allowed = kind === 'sgd' ? ['lr', 'weight_decay', 'momentum'] : ['lr', 'weight_decay', 'eps', 'betas'];
  if (call.positional.length > 0) return r.error(`'${kind}' takes its options by name, such as ${kind}(lr: 1e-4).`, call.positional[0]!.span);
  for (const [name, arg] of call.named) {
    if (!allowed.includes(name)) return r.error(`'${kind}' has no option '${name}'; its options are ${allowed.join(', ')}.${didYouMean(name, allowed)}`, arg.name.span, 'TIER2104');
    if (name === 'betas') {
      const list = arg.value.kind === 'ListExpr' ? arg.value.elements.map(numberOf) : [];
      if (list.length !== 2 || list.some((v) => v === undefined || !(v >= 0 && v < 1))) return r.error("'betas' takes two numbers in [0, 1), such as [0.9, 0.999].", arg.value.span, 'TIER2105');
      config.betas = list as [number, number];
      continue;
    }
    const value = numberOf(arg.value);
    if (value === undefined || value < 0 || (name === 'lr' && value === 0)) return r.error(`'${name}' of '${kind}' takes a ${name === 'lr' ? 'positive' : 'non-negative'} number.`, arg.value.span, 'TIER2105');
    config[keys[name]!] = value;
  }
  for (const name of allowed) if (!call.named.has(name)) r.fill(`optimizer.${name}`, undefined);
  return config;
}

/** `constant` or `cosine(warmup: 1000 steps, min_lr: 0)`. */
function readSchedule(r: ConfigReader): LrSchedule | undefined {
  if (r.setting('schedule') === undefined) return r.fill('schedule', { kind: 'constant' });
  const expr = r.expression('schedule', 'constant or cosine(warmup: N steps)');
  if (expr === undefined) return undefined;
  const call = callOf(expr);
  if (call?.name === 'constant' && call.named.size === 0) return { kind: 'constant' };
  if (call?.name !== 'cosine') return r.error("Setting 'schedule' takes constant or cosine(warmup: 1000 steps, min_lr: 0).", expr.span);
  let warmupSteps = 0;
  let minLr = 0;
  for (const [name, arg] of call.named) {
    if (name === 'warmup') {
      const parts = arg.value.kind === 'NumberLiteral' ? [arg.value] : undefined;
      const value = parts === undefined ? undefined : numberOf(parts[0]!);
      if (value === undefined || !Number.isInteger(value) || value < 0) return r.error("'warmup' of 'cosine' takes a whole number of steps.", arg.value.span, 'TIER2105');
      warmupSteps = value;
    } else if (name === 'min_lr') {
      const value = numberOf(arg.value);
      if (value === undefined || value < 0) return r.error("'min_lr' of 'cosine' takes a non-negative number.", arg.value.span, 'TIER2105');
      minLr = value;
    } else {
      return r.error(`'cosine' has no option '${name}'; its options are warmup and min_lr.`, arg.name.span, 'TIER2104');
    }
  }
  return { kind: 'cosine', warmupSteps, minLr };
}

/**
 * `freeze: [text.embeddings, text.encoder.layer[0..7]]`: parameter name prefixes. An index
 * range expands to one prefix per index (`text.encoder.layer.0` … `.7`).
 */
function readFreeze(r: ConfigReader): string[] | undefined {
  if (r.setting('freeze') === undefined) return r.fill('freeze', []);
  const expr = r.expression('freeze', 'a list of parameter name prefixes');
  if (expr === undefined) return undefined;
  const elements = expr.kind === 'ListExpr' ? expr.elements : [expr];
  const prefixes: string[] = [];
  for (const element of elements) {
    const text = patternText(element);
    if (text === undefined) return r.error("A freeze pattern is a dotted name such as text.embeddings or text.encoder.layer[0..7].", element.span);
    const range = /^(.*)\[(\d+)(?:\.\.(\d+))?\]$/.exec(text);
    if (range === null) {
      prefixes.push(text);
      continue;
    }
    const start = Number(range[2]);
    const end = range[3] === undefined ? start : Number(range[3]);
    if (end < start) return r.error(`The freeze range ${start}..${end} is empty.`, element.span);
    for (let i = start; i <= end; i++) prefixes.push(`${range[1]}.${i}`);
  }
  return prefixes;
}

/** `every 1 epoch, keep best 5 by eval.chexpert.mean_auroc` or `every 500 steps, keep last 3`. */
function readCheckpoint(r: ConfigReader): CheckpointConfig | undefined {
  if (r.setting('checkpoint') === undefined) return r.fill('checkpoint', { every: { unit: 'epochs', value: 1 }, keep: { count: 1, mode: 'last' } });
  const phrases = r.phrases('checkpoint') ?? [];
  const form = 'every 1 epoch, keep best 5 by eval.NAME.METRIC';
  let every: Duration | undefined;
  let keep: CheckpointConfig['keep'] | undefined;
  for (const phrase of phrases) {
    const word = wordAt(phrase, 0);
    if (word === 'every') {
      every = durationOf(r, phrase.parts.slice(1), 'checkpoint');
      if (every === undefined) return undefined;
    } else if (word === 'keep') {
      const mode = wordAt(phrase, 1);
      const count = phrase.parts[2] === undefined ? undefined : numberOf(phrase.parts[2]);
      if ((mode !== 'best' && mode !== 'last') || count === undefined || !Number.isInteger(count) || count < 1) return r.error(`Setting 'checkpoint' takes ${form}.`, phrase.span);
      if (mode === 'last') {
        if (phrase.parts.length !== 3) return r.error(`Setting 'checkpoint' takes ${form}.`, phrase.span);
        keep = { count, mode };
      } else {
        const metric = phrase.parts[4] === undefined ? undefined : dottedParts(phrase.parts[4]);
        if (wordAt(phrase, 3) !== 'by' || metric === undefined || metric.length !== 3 || metric[0] !== 'eval' || phrase.parts.length !== 5) {
          return r.error(`'keep best N' needs the metric it ranks by: keep best ${count} by eval.NAME.METRIC.`, phrase.span);
        }
        keep = { count, mode, eval: metric[1]!, metric: metric[2]! };
      }
    } else {
      return r.error(`Setting 'checkpoint' takes ${form}.`, phrase.span);
    }
  }
  return {
    every: every ?? r.fill('checkpoint.every', { unit: 'epochs', value: 1 }),
    keep: keep ?? r.fill('checkpoint.keep', { count: 1, mode: 'last' }),
  };
}
