// `tierc explain SPEC [--json] [--batch N] [--tokens T]`: every named value with its shape and
// source line, every block option with the value used (defaults marked), and per component
// parameter counts and forward FLOPs. Exit codes: 0 ok, 1 errors in the spec, 2 usage error.
import type { Command } from 'commander';
import { renderDiagnostics } from '../../diagnostics/index.js';
import { nodeHost } from '../../driver/index.js';
import { explain, type ExplainedModel, type ExplainReport } from '../../explain.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode, useColor } from '../io.js';
import { integerOption } from '../options.js';

interface ExplainFlags {
  json?: boolean;
  batch: number;
  tokens?: number;
}

function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

function formatFlops(value: number): string {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)} GFLOP`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} MFLOP`;
  return `${formatCount(value)} FLOP`;
}

function formatOption(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Formats one model's explanation as text. */
export function renderModel(model: ExplainedModel): string {
  const lines: string[] = [`model ${model.name}`];
  const parameters = Object.entries(model.parameters);
  if (parameters.length > 0) lines.push(`  parameters: ${parameters.map(([key, value]) => `${key} = ${formatOption(value)}`).join(', ')}`);
  lines.push('', '  inputs');
  for (const input of model.inputs) lines.push(`    ${input.name.padEnd(16)} ${input.dtype}[${input.shape.join(', ')}]  (${input.role})`);
  lines.push('', '  values');
  const width = Math.max(...model.values.map((value) => value.name.length), 8);
  for (const value of model.values) {
    const sizes = value.sizes.some((size, i) => typeof size === 'number' && value.shape[i] !== size) ? `  = [${value.sizes.join(', ')}]` : '';
    lines.push(`    ${value.name.padEnd(width)}  ${value.dtype}[${value.shape.join(', ')}]${sizes}  ${value.kind}, line ${value.line}`);
  }
  lines.push('', '  losses');
  for (const loss of model.losses) lines.push(`    ${loss.name}  weight ${loss.weight}`);
  lines.push('', '  options (* = default)');
  for (const component of model.options) {
    const options = Object.entries(component.options).map(([key, option]) => `${key}: ${formatOption(option.value)}${option.default ? '*' : ''}`);
    lines.push(`    ${component.component} = ${component.block}(${options.join(', ')})`);
  }
  lines.push('', `  parameters and forward FLOPs at ${Object.entries(model.flopSizes).map(([key, value]) => `${key} = ${value}`).join(', ')}`);
  const nameWidth = Math.max(...model.components.map((component) => component.name.length), 9);
  lines.push(`    ${'component'.padEnd(nameWidth)}  ${'params'.padStart(13)}  ${'trainable'.padStart(13)}  ${'FLOPs'.padStart(14)}`);
  for (const component of model.components) {
    lines.push(`    ${component.name.padEnd(nameWidth)}  ${formatCount(component.params).padStart(13)}  ${formatCount(component.trainable).padStart(13)}  ${formatFlops(component.flops).padStart(14)}`);
  }
  lines.push(`    ${'total'.padEnd(nameWidth)}  ${formatCount(model.total.params).padStart(13)}  ${formatCount(model.total.trainable).padStart(13)}  ${formatFlops(model.total.flops).padStart(14)}`);
  return `${lines.join('\n')}\n`;
}

/** Formats the settings blocks: one line each, with the options that took defaults. */
export function renderSettings(report: ExplainReport): string {
  const configs = report.configs;
  if (configs === undefined) return '';
  const lines = ['settings (defaults filled in)'];
  const entries: Array<[string, { defaulted: string[] }]> = [
    ...configs.data.map((config) => [`data ${config.name}`, config] as [string, { defaulted: string[] }]),
    ...configs.preprocess.map((config) => [`preprocess${config.name === undefined ? '' : ` ${config.name}`}`, config] as [string, { defaulted: string[] }]),
    ...configs.train.map((config) => [`train${config.name === undefined ? '' : ` ${config.name}`}`, config] as [string, { defaulted: string[] }]),
    ...configs.eval.map((config) => [`eval ${config.name}`, config] as [string, { defaulted: string[] }]),
    ...configs.export.map((config) => [`export ${config.format}`, config] as [string, { defaulted: string[] }]),
  ];
  for (const [title, config] of entries) lines.push(`  ${title}: ${config.defaulted.length === 0 ? 'none' : config.defaulted.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

/** Formats the report as JSON: models and configs, without the checker's internal state. */
export function explainJson(report: ExplainReport): string {
  return `${JSON.stringify({ ok: report.ok, diagnostics: report.check.diagnostics, models: report.models, configs: report.configs ?? null }, null, 2)}\n`;
}

function runExplain(spec: string, flags: ExplainFlags, context: CliContext): void {
  const { io } = context;
  const options = flags.tokens === undefined ? { batch: flags.batch } : { batch: flags.batch, tokens: flags.tokens };
  const report = explain({ entry: spec, host: nodeHost(io.cwd), cwd: io.cwd }, options);
  if (report.check.diagnostics.length > 0) {
    io.stderr(renderDiagnostics(report.check.diagnostics, { sources: (file) => report.check.sources.get(file), color: useColor(io) }));
  }
  if (flags.json === true) io.stdout(explainJson(report));
  else if (report.ok) io.stdout([...report.models.map(renderModel), renderSettings(report)].join('\n'));
  context.setExitCode(report.ok ? ExitCode.ok : ExitCode.inputError);
}

export const explainCommand: CliCommand = {
  register(program: Command, context: CliContext) {
    program
      .command('explain')
      .description('Show every named value with its shape, the options used (defaults marked), and parameter counts and FLOPs per component.')
      .argument('<spec>', '.tier spec file')
      .option('--json', 'print the explanation as JSON')
      .option('--batch <n>', 'batch size at which FLOPs are counted', integerOption({ min: 1 }), 1)
      .option('--tokens <n>', 'token count at which FLOPs are counted (default: the token axis bound)', integerOption({ min: 1 }))
      .action((spec: string, flags: ExplainFlags) => runExplain(spec, flags, context));
  },
};
