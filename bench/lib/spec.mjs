// Loads a .tier spec and lowers one of its models to an IrModule through tierc's public
// driver and lowering entry points (checkSpec, lowerProgram), timing each phase.
import { checkSpec } from '../../dist/driver/index.js';
import { lowerProgram } from '../../dist/lower/index.js';

/**
 * Lowers model `modelName` of the spec at `path`. Returns the module and the milliseconds
 * spent in the front end and the lowering; throws an Error listing the diagnostics when
 * either phase reports an error.
 */
export function lowerSpecModel(path, modelName, settings = {}) {
  const started = performance.now();
  const checked = checkSpec(path);
  const checkMs = performance.now() - started;
  const errors = checked.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || checked.program === undefined) throw new Error(`${path}: ${describe(errors)}`);
  const loweringStarted = performance.now();
  const lowered = lowerProgram(checked.program, () => settings);
  const lowerMs = performance.now() - loweringStarted;
  const model = lowered.models.find((m) => m.name === modelName);
  const loweringErrors = lowered.diagnostics.filter((d) => d.severity === 'error');
  if (model === undefined) throw new Error(`${path}: model '${modelName}' was not lowered. ${describe(loweringErrors)}`);
  return { module: model.module, checkMs, lowerMs };
}

/** The module without loss terms whose weight is the constant 0, so they are never computed. */
export function withoutZeroLosses(module) {
  return { ...module, losses: module.losses.filter((l) => !(l.weight.kind === 'constant' && l.weight.value === 0)) };
}

/** Number of scalar parameters of an IrModule. */
export function parameterCount(module) {
  return module.params.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
}

function describe(diagnostics) {
  return diagnostics.map((d) => `${d.code} ${d.message}${d.span ? ` (line ${d.span.start.line})` : ''}`).join(' ') || 'no diagnostics';
}
