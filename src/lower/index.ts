// The lowering phase: checks every model of the root file against the standard library and
// named axes, and lowers each to one IrModule. Instances (`model baseline = phantom(words: 0)`)
// are lowered as models of their own; their base may come from an imported file. A model whose
// parameters lack defaults is a template and is lowered only through its instances.
import type { BlockDecl, ModelDecl, NamedArgument, Program } from '../ast/index.js';
import { visibleDeclarations } from '../ast/index.js';
import { didYouMean } from '../diagnostics/suggest.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import { stdlibNames } from '../sema/stdlib.js';
import type { LowerSettings } from './context.js';
import { lowerModel, type LoweredModel } from './model.js';

export type { LoweredModel } from './model.js';
export type { NamedValue, LowerSettings } from './context.js';
export type { ComponentOptions } from './encoders.js';

export interface LowerResult {
  models: LoweredModel[];
  diagnostics: Diagnostic[];
}

/** Lowers every model declared in the root file; `settingsFor` gives per-model settings such as the image size. */
export function lowerProgram(program: Program, settingsFor: (model: string) => LowerSettings = () => ({})): LowerResult {
  const diagnostics: Diagnostic[] = [];
  const models: LoweredModel[] = [];
  const visible = visibleDeclarations(program);
  const blocks = new Map<string, BlockDecl>();
  const modelDecls = new Map<string, ModelDecl>();
  const reserved = new Set(stdlibNames());
  for (const { item } of visible) {
    if (item.kind === 'BlockDecl') {
      if (reserved.has(item.name.name)) {
        diagnostics.push(makeDiagnostic('TIER2102', `Block '${item.name.name}' has the name of a standard-library block; choose another name so both stay usable.`, item.name.span));
        continue;
      }
      if (!blocks.has(item.name.name)) blocks.set(item.name.name, item);
    }
    if (item.kind === 'ModelDecl' && !modelDecls.has(item.name.name)) modelDecls.set(item.name.name, item);
  }
  // Models of imported files serve as bases of instances; only the root file's models are lowered.
  for (const { file, item } of visible) {
    if (file !== program.root) continue;
    if (item.kind === 'ModelDecl') {
      if (item.params.some((param) => param.default === undefined)) continue;
      const lowered = lowerModel({ decl: item, name: item.name.name, arguments: [], blocks, settings: settingsFor(item.name.name) });
      diagnostics.push(...lowered.diagnostics);
      if (lowered.model) models.push(lowered.model);
    } else if (item.kind === 'ModelInstanceDecl') {
      const value = item.value;
      const baseName = value.kind === 'Identifier' ? value.name : value.kind === 'CallExpr' && value.callee.kind === 'Identifier' ? value.callee.name : undefined;
      if (baseName === undefined) {
        diagnostics.push(makeDiagnostic('TIER2117', `Model '${item.name.name}' must be another model's name or a call such as phantom(words: 0).`, value.span));
        continue;
      }
      const base = modelDecls.get(baseName);
      if (base === undefined) {
        diagnostics.push(makeDiagnostic('TIER2101', `Model '${baseName}' is not defined.${didYouMean(baseName, modelDecls.keys())}`, value.kind === 'CallExpr' ? value.callee.span : value.span));
        continue;
      }
      const args = value.kind === 'CallExpr' ? value.args : [];
      const positional = args.find((arg) => arg.kind !== 'NamedArgument');
      if (positional !== undefined) {
        diagnostics.push(makeDiagnostic('TIER2103', `Model '${baseName}' takes its parameters by name, such as ${baseName}(words: 0).`, positional.span));
        continue;
      }
      const lowered = lowerModel({
        decl: base,
        name: item.name.name,
        arguments: args as NamedArgument[],
        instanceSpan: item.span,
        blocks,
        settings: settingsFor(item.name.name),
      });
      diagnostics.push(...lowered.diagnostics);
      if (lowered.model) models.push(lowered.model);
    }
  }
  return { models, diagnostics };
}
