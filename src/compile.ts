// The library's entry points over the phase driver: `check` runs every phase up to lowering,
// `compile` then emits the IR listing, ONNX graphs or the TensorFlow.js program. Both take a
// spec text or an entry path with a host, return diagnostics and artifacts as data, and print
// nothing. Nothing is written to disk here; the CLI writes the artifacts. The ONNX target reads
// the checkpoint it embeds and, for the zero-shot graph, the tokenizer file from disk.
import { existsSync, statSync } from 'node:fs';
import { basename, join, resolve as resolvePath } from 'node:path';
import { frontendPhases, frontendState, memoryHost, runPhasesPastErrors, type CompilerHost, type Phase } from './driver/index.js';
import type { Program } from './ast/index.js';
import { preprocessFor, type OnnxGraphName, type PreprocessConfig, type SpecConfigs } from './config/index.js';
import { backendDiagnostic } from './backends/onnx/diagnostics.js';
import { makeDiagnostic } from './diagnostics/make.js';
import type { Diagnostic } from './diagnostics/types.js';
import { initializeParams, printModule } from './ir/index.js';
import { specHash } from './ir/hash.js';
import { chooseRunCheckpoint, type ChosenCheckpoint } from './runtime/checkpoint.js';
import { noCheckpointInFolder, weightsNotFound } from './pipeline/weights-errors.js';
import type { LoweredModel } from './lower/index.js';
import type { SemanticState } from './lower/phases.js';
import type { WeightTensor, ZeroShotOptions } from './backends/onnx/index.js';

/** The full list of checking phases: the front end's, then configs and lowering (registered in the driver's list). */
export const checkPhases: ReadonlyArray<Phase<SemanticState>> = frontendPhases;

/** A spec to check: its text (read as `spec.tier`), or an entry path with the files or a host to read it from. */
export type SpecInput =
  | string
  | {
      entry: string;
      /**
       * Reads files: a CompilerHost, or any object whose `readFile` returns the text or undefined
       * for a missing file. Defaults to an in-memory host over `files`.
       */
      host?: CompilerHost | SpecReader;
      /** File texts by absolute path, for an in-memory host. */
      files?: Record<string, string>;
      /** Working directory for a relative entry and for display paths; default '/'. */
      cwd?: string;
    };

export interface CheckReport {
  /** True when no diagnostic is an error. */
  ok: boolean;
  diagnostics: Diagnostic[];
  /** Texts of the loaded files by display path, for rendering diagnostics. */
  sources: Map<string, string>;
  program: Program | undefined;
  configs: SpecConfigs | undefined;
  /**
   * One lowered model (IR module, named values, options) per model and instance, when checking
   * got that far. After errors these are the models lowered from the declarations without errors.
   */
  models: LoweredModel[];
  /** The first phase that reported errors, if any. */
  failedPhase: string | undefined;
}

/** A minimal file reader: the text of an absolute path, or undefined when there is no such file. */
export interface SpecReader {
  readFile(path: string): string | undefined;
}

/** Turns a reader that returns undefined for a missing file into a CompilerHost. */
function hostOf(reader: CompilerHost | SpecReader, cwd: string): CompilerHost {
  if ('realpath' in reader && 'cwd' in reader) return reader as CompilerHost;
  return {
    cwd,
    realpath: (path) => path,
    readFile: (path) => {
      const text = reader.readFile(path);
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file '${path}'`), { code: 'ENOENT' });
      return text;
    },
  };
}

function stateOf(input: SpecInput): SemanticState {
  if (typeof input === 'string') return frontendState('/spec.tier', memoryHost({ '/spec.tier': input }, '/'));
  const cwd = input.cwd ?? '/';
  const host = input.host === undefined ? memoryHost(input.files ?? {}, cwd) : hostOf(input.host, cwd);
  return frontendState(input.entry, host);
}

/**
 * Parses, checks and lowers a spec and its imports. After a phase reports errors, the later
 * phases still run on the declarations without errors where that is safe, so the report lists
 * the independent errors of every phase, as `tierc check` does.
 */
export function check(input: SpecInput): CheckReport {
  const state = stateOf(input);
  const run = runPhasesPastErrors(state, checkPhases);
  return {
    ok: !run.diagnostics.some((diagnostic) => diagnostic.severity === 'error'),
    diagnostics: run.diagnostics,
    sources: state.sources,
    program: state.program,
    configs: state.configs,
    models: state.models ?? [],
    failedPhase: run.failedPhase,
  };
}

export type CompileTarget = 'ir' | 'onnx' | 'tfjs';

export interface CompileRequest {
  target: CompileTarget;
  /** Only this model; default every model the spec declares. */
  model?: string;
  /** Seed of the initial weights embedded in ONNX graphs without a checkpoint; default the train block's seed, else 0. */
  seed?: number;
  /**
   * Checkpoint whose weights the ONNX graphs embed: a safetensors file, a checkpoint folder
   * holding `model.safetensors`, or a run folder. A run folder means its best checkpoint by the
   * run's keep-best metric, else its newest. A relative path resolves against the input's `cwd`.
   * Default: the export block's `checkpoint`, else seeded initialization.
   */
  weights?: string;
  /** ONNX opset from 13 to 21; default the export block's opset, else 17. */
  opset?: number;
  /** ONNX graphs to write; default the export block's graphs, else the towers and the similarity map. */
  graphs?: OnnxGraphName[];
}

/** One output file: a path relative to the output folder, and its text or bytes. */
export interface Artifact {
  model: string;
  path: string;
  text?: string;
  bytes?: Uint8Array;
}

export interface CompileReport extends CheckReport {
  artifacts: Artifact[];
}

/**
 * Checks a spec, then emits the target's artifacts for each of its models. A spec with any
 * error is reported with the diagnostics of every phase and is not compiled.
 */
export async function compile(input: SpecInput, request: CompileRequest): Promise<CompileReport> {
  const checked = check(input);
  const result: CompileReport = { ...checked, artifacts: [] };
  if (!checked.ok) return result;
  let models = checked.models;
  if (request.model !== undefined) {
    models = models.filter((model) => model.name === request.model);
    if (models.length === 0) {
      const names = checked.models.map((model) => `'${model.name}'`).join(', ');
      result.diagnostics.push(makeDiagnostic('TIER2115', `Model '${request.model}' is not declared; the spec declares ${names || 'no model'}.`, undefined));
      result.ok = false;
      return result;
    }
  }
  for (const model of models) {
    if (request.target === 'ir') {
      result.artifacts.push({ model: model.name, path: `${model.name}.ir.txt`, text: printModule(model.module) });
    } else if (request.target === 'tfjs') {
      const { emitTfjs } = await import('./backends/tfjs/index.js');
      const { buildTrainingSetup } = await import('./pipeline/setup.js');
      // train.js carries the train block's data and settings; a spec that cannot train on its data is an error here.
      const built = checked.configs === undefined
        ? { setup: undefined, diagnostics: [] }
        : buildTrainingSetup({ configs: checked.configs, model: { name: model.name, losses: model.module.losses.map((loss) => loss.name) }, specFile: model.span.file, program: checked.program });
      result.diagnostics.push(...built.diagnostics);
      if (built.diagnostics.length > 0) continue;
      const { resolveInitFiles } = await import('./runtime/pretrained.js');
      // Paths in the spec are relative to the spec file, so the init files resolve here, not where train.js runs.
      const initFiles = resolveInitFiles(model.module.params, typeof input === 'string' ? '/' : (input.cwd ?? '/'));
      const emitted = await emitTfjs(model.module, { specFile: model.span.file, initFiles, ...(built.setup !== undefined ? { setup: built.setup } : {}) });
      for (const file of emitted.files) result.artifacts.push({ model: model.name, path: `${model.name}/${file.path}`, text: file.text });
    } else {
      await compileOnnxArtifacts(checked, model, request, typeof input === 'string' ? '/' : (input.cwd ?? '/'), result);
    }
  }
  result.ok = !result.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  return result;
}

async function compileOnnxArtifacts(checked: CheckReport, model: LoweredModel, request: CompileRequest, cwd: string, result: CompileReport): Promise<void> {
  const { checkWeights, compileOnnx, MAX_OPSET, MIN_OPSET, PREPROCESS_METADATA_KEY, readCheckpointWeights, zeroShotFromSpec } = await import('./backends/onnx/index.js');
  const { describePreprocess } = await import('./data/transforms.js');
  const exportConfig = checked.configs?.export.find((config) => config.model === model.name);
  const train = checked.configs?.train.find((config) => config.model === model.name);
  const graphs = request.graphs ?? exportConfig?.graphs ?? ['image_tower', 'text_tower', ...('similarity' in model.module.outputs ? (['similarity_map'] as const) : [])];
  const opset = request.opset ?? exportConfig?.opset;
  if (opset !== undefined && !(Number.isInteger(opset) && opset >= MIN_OPSET && opset <= MAX_OPSET)) {
    result.diagnostics.push(backendDiagnostic('TIER4001', `Opset ${opset} is not supported; choose an opset from ${MIN_OPSET} to ${MAX_OPSET}.`, undefined));
    return;
  }

  const given = request.weights ?? exportConfig?.checkpoint;
  const named = request.weights === undefined ? exportConfig?.checkpoint : resolvePath(cwd, request.weights);
  const fromRun = named === undefined ? undefined : checkpointOfRun(named);
  const checkpoint = fromRun?.path ?? named;
  if (fromRun !== undefined) result.diagnostics.push(...fromRun.warnings);
  // A missing path and a folder without checkpoints get the messages of `eval` and `verify`.
  if (given !== undefined && checkpoint !== undefined && fromRun === undefined) {
    const problem = !existsSync(checkpoint) ? weightsNotFound(given) : isEmptyOfCheckpoints(checkpoint) ? noCheckpointInFolder(given) : undefined;
    if (problem !== undefined) {
      result.diagnostics.push(problem);
      return;
    }
  }
  let weights: Map<string, WeightTensor>;
  let weightsSource: string;
  if (checkpoint === undefined) {
    const seed = request.seed ?? train?.seed ?? 0;
    weights = initializeParams(model.module, seed);
    weightsSource = `seeded initialization, seed ${seed}`;
  } else {
    const read = readCheckpointWeights(checkpoint);
    if (read.diagnostics.length > 0) {
      result.diagnostics.push(...read.diagnostics);
      return;
    }
    // Every missing, unexpected and misshapen tensor is reported before anything is compiled.
    const mismatches = checkWeights(model.module, read.weights, `checkpoint '${checkpoint}'`);
    if (mismatches.length > 0) {
      result.diagnostics.push(...mismatches);
      return;
    }
    const recorded = read.metadata.spec_hash;
    const expected = specHash(model.module);
    if (recorded !== undefined && recorded !== expected) {
      result.diagnostics.push(
        backendDiagnostic('TIER4014', `The checkpoint '${checkpoint}' was written for a different model (spec hash ${recorded.slice(0, 12)}, this model ${expected.slice(0, 12)}); its tensors match the parameters, so the graphs embed them anyway.`, undefined),
      );
    }
    weights = read.weights;
    weightsSource = `checkpoint ${basename(checkpoint)}${fromRun === undefined ? '' : `, the ${fromRun.choice} of its run`}`;
  }

  let zeroshot: ZeroShotOptions | undefined;
  if (graphs.includes('zeroshot')) {
    const configs = checked.configs;
    const evalConfig = configs?.eval.find((config) => (config.model === undefined || config.model === model.name) && config.zeroshot !== undefined);
    // The prompts are tokenized as the eval block that declares them tokenizes its data.
    let preprocess: PreprocessConfig | undefined;
    if (configs !== undefined && evalConfig?.preprocess !== undefined) preprocess = configs.preprocess.find((config) => config.name === evalConfig.preprocess);
    else if (configs !== undefined) preprocess = preprocessFor(configs, model.name);
    const built = await zeroShotFromSpec({
      model: model.module,
      weights,
      prompts: evalConfig?.zeroshot,
      text: preprocess?.text,
      ...(opset === undefined ? {} : { opset }),
      ...(exportConfig ? { span: exportConfig.span } : {}),
    });
    if (Array.isArray(built)) {
      result.diagnostics.push(...built);
      return;
    }
    zeroshot = built;
  }

  const compiled = compileOnnx(model.module, {
    graphs,
    weights,
    opset,
    dynamic: exportConfig?.dynamic,
    ...(zeroshot ? { zeroshot } : {}),
    spec: { file: model.span.file, hash: specHash(model.module) },
    metadata: { ...preprocessMetadata(checked.configs, model.name, describePreprocess, PREPROCESS_METADATA_KEY), 'tierc.weights': weightsSource },
  });
  result.diagnostics.push(...compiled.diagnostics);
  for (const file of compiled.files) result.artifacts.push({ model: model.name, path: `${model.name}/${file.name}`, bytes: file.bytes });
}

/** Returns true for a folder that has neither `model.safetensors` nor `state.json`, so it is not a checkpoint itself. */
function isEmptyOfCheckpoints(path: string): boolean {
  return statSync(path).isDirectory() && !existsSync(join(path, 'model.safetensors')) && !existsSync(join(path, 'state.json'));
}

/** Chooses the checkpoint of a run folder, when `path` is a folder with checkpoints but no `model.safetensors` of its own. */
function checkpointOfRun(path: string): ChosenCheckpoint | undefined {
  if (!existsSync(path) || !statSync(path).isDirectory() || existsSync(join(path, 'model.safetensors'))) return undefined;
  return chooseRunCheckpoint(path);
}

/**
 * Records the spec's test-time image pipeline in the graphs' metadata, so that `tierc run` prepares
 * images as training did. Channels follow the pipeline's data source: 3 only for a 3-channel model.
 */
function preprocessMetadata(
  configs: SpecConfigs | undefined,
  model: string,
  describe: typeof import('./data/transforms.js').describePreprocess,
  key: string,
): Record<string, string> {
  const preprocess = configs === undefined ? undefined : preprocessFor(configs, model);
  if (preprocess === undefined) return {};
  return { [key]: JSON.stringify(describe(preprocess.image, preprocess.channels === 3 ? 3 : 1)) };
}
