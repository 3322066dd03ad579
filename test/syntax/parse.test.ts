import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findSetting, type Expr, type ModelDecl, type SettingValue, type TopLevelItem } from '../../src/ast/index.js';
import { parse } from '../../src/syntax/index.js';

const specsDir = join(import.meta.dirname, '..', '..', 'specs');

function parseClean(text: string) {
  const result = parse(text, 'test.tier');
  expect(result.diagnostics).toEqual([]);
  return result.ast;
}

/** A compact text form of an expression, for readable assertions. */
function show(expr: Expr | { kind: 'NamedArgument'; name: { name: string }; value: Expr }): string {
  switch (expr.kind) {
    case 'NamedArgument':
      return `${expr.name.name}: ${show(expr.value)}`;
    case 'Identifier':
      return expr.name;
    case 'NumberLiteral':
    case 'StringLiteral':
      return expr.raw;
    case 'ListExpr':
      return `[${expr.elements.map(show).join(', ')}]`;
    case 'MemberExpr':
      return `${show(expr.object)}.${expr.property.name}`;
    case 'IndexExpr':
      return `${show(expr.object)}[${show(expr.index)}]`;
    case 'CallExpr':
      return `${show(expr.callee)}(${expr.args.map(show).join(', ')})`;
    case 'UnaryExpr':
      return `(-${show(expr.operand)})`;
    case 'BinaryExpr':
      return `(${show(expr.left)} ${expr.op} ${show(expr.right)})`;
    case 'ContractExpr':
      return `(${show(expr.left)} · ${show(expr.right)})`;
    case 'RangeExpr':
      return `(${show(expr.start)}..${show(expr.end)})`;
    case 'ArrowExpr':
      return `(${show(expr.from)} -> ${show(expr.to)})`;
    case 'PipeExpr':
      return `{${expr.stages.map(show).join(' | ')}}`;
    case 'MissingExpr':
      return '?';
  }
}

function showValue(value: SettingValue): string {
  return value.items.map((item) => (item.kind === 'Phrase' ? `<${item.parts.map(show).join(' ')}>` : show(item))).join(', ');
}

function modelLet(item: TopLevelItem, name: string): string {
  const model = item as ModelDecl;
  const member = model.members.find((candidate) => 'name' in candidate && candidate.name.name === name);
  if (member === undefined || !('value' in member)) throw new Error(`no member ${name}`);
  return show(member.value);
}

describe('parse on the committed specs', () => {
  for (const file of readdirSync(specsDir).filter((name) => name.endsWith('.tier'))) {
    it(`${file} parses without diagnostics`, () => {
      const { diagnostics, ast } = parse(readFileSync(join(specsDir, file), 'utf8'), file);
      expect(diagnostics).toEqual([]);
      expect(ast.items.length).toBeGreaterThan(0);
    });
  }

  it('tier_cxr has the expected declarations in order', () => {
    const ast = parseClean(readFileSync(join(specsDir, 'tier_cxr.tier'), 'utf8'));
    expect(ast.items.map((item) => item.kind)).toEqual([
      'ModelDecl',
      'DataDecl',
      'PreprocessDecl',
      'TrainDecl',
      'DataDecl',
      'EvalDecl',
      'ExportDecl',
    ]);
    expect(ast.comments.length).toBeGreaterThanOrEqual(2);
  });
});

describe('expressions', () => {
  const ast = parseClean(`model m {
  let a = tokens . patches
  let b = image.grid
  let c = eval.chexpert.mean_auroc
  let d = layers[0..7]
  let e = conv1x1(2048 -> 128, bias: false) | batchnorm | relu
  let f = 0.1 * mean(x, over: [batch, token]) + -y / 2
  let g = warmup(0 -> 0.2, steps: 2000) * z
  let h = ["a", "b"] + "No {label}."
  let i = 2 * a . b
  let j = -(a + b).c
  let k = 1e-7
}`);
  const model = ast.items[0]!;

  it('separates contraction from member access by whitespace', () => {
    expect(modelLet(model, 'a')).toBe('(tokens · patches)');
    expect(modelLet(model, 'b')).toBe('image.grid');
    expect(modelLet(model, 'c')).toBe('eval.chexpert.mean_auroc');
  });

  it('parses ranges inside indexing', () => {
    expect(modelLet(model, 'd')).toBe('layers[(0..7)]');
  });

  it('parses pipes of calls with arrows and named arguments', () => {
    expect(modelLet(model, 'e')).toBe('{conv1x1((2048 -> 128), bias: false) | batchnorm | relu}');
  });

  it('applies arithmetic precedence', () => {
    expect(modelLet(model, 'f')).toBe('((0.1 * mean(x, over: [batch, token])) + ((-y) / 2))');
    expect(modelLet(model, 'g')).toBe('(warmup((0 -> 0.2), steps: 2000) * z)');
    expect(modelLet(model, 'h')).toBe('(["a", "b"] + "No {label}.")');
    expect(modelLet(model, 'i')).toBe('(2 * (a · b))');
    expect(modelLet(model, 'j')).toBe('(-(a + b).c)');
  });

  it('reads number literals with exponents', () => {
    const member = (model as ModelDecl).members[10]!;
    expect(member.kind).toBe('LetDecl');
    if (member.kind !== 'LetDecl' || member.value.kind !== 'NumberLiteral') throw new Error('expected a number');
    expect(member.value.value).toBe(1e-7);
    expect(member.value.integer).toBe(false);
    expect(member.value.raw).toBe('1e-7');
  });
});

describe('keywords and identifiers', () => {
  it('lexes names that start with a keyword as one identifier', () => {
    const ast = parseClean('model m {\n  let losses = infonce(input, index)\n  let modeled = evaluated\n}');
    expect(modelLet(ast.items[0]!, 'losses')).toBe('infonce(input, index)');
    expect(modelLet(ast.items[0]!, 'modeled')).toBe('evaluated');
  });

  it('accepts keywords as setting keys and member names', () => {
    const ast = parseClean('train {\n  model: tier_cxr\n  data: mimic.train\n}');
    const train = ast.items[0]!;
    if (train.kind !== 'TrainDecl') throw new Error('expected train');
    expect(showValue(findSetting(train.body, 'model')!.value)).toBe('<tier_cxr>');
    expect(showValue(findSetting(train.body, 'data')!.value)).toBe('<mimic.train>');
  });
});

describe('settings', () => {
  const ast = parseClean(`data d {
  image: column "path", root "data/files"
  labels: columns ["A", "B"]
  split: by column "subject_id" 90/10 seed 1
}
train {
  duration: 50 epochs
  checkpoint: every 1 epoch, keep best 5 by eval.chexpert.mean_auroc
  augment: crop(224, ratio: 0.9..1.0) | affine(degrees: 10,
           translate: 0.05)
}
preprocess {
  text: tokenizer "vocab.txt", max_len: 128, pad: longest
}
eval e {
  zeroshot {
    labels {
      "Cardiomegaly": ["x", "y"]
    }
    score: difference
  }
  heatmaps: label "Cardiomegaly", reference "No Finding", upsample nearest, images 8
}`);
  const [data, train, preprocess, evaluation] = ast.items;

  it('splits values into phrases at commas', () => {
    if (data?.kind !== 'DataDecl') throw new Error('expected data');
    expect(showValue(findSetting(data.body, 'image')!.value)).toBe('<column "path">, <root "data/files">');
    expect(showValue(findSetting(data.body, 'split')!.value)).toBe('<by column "subject_id" (90 / 10) seed 1>');
  });

  it('treats a bracket after a space as a new phrase part', () => {
    if (data?.kind !== 'DataDecl') throw new Error('expected data');
    expect(showValue(findSetting(data.body, 'labels')!.value)).toBe('<columns ["A", "B"]>');
  });

  it('reads multi-word phrases and pipes across lines', () => {
    if (train?.kind !== 'TrainDecl') throw new Error('expected train');
    expect(showValue(findSetting(train.body, 'duration')!.value)).toBe('<50 epochs>');
    expect(showValue(findSetting(train.body, 'checkpoint')!.value)).toBe('<every 1 epoch>, <keep best 5 by eval.chexpert.mean_auroc>');
    expect(showValue(findSetting(train.body, 'augment')!.value)).toBe(
      '<{crop(224, ratio: (0.9..1.0)) | affine(degrees: 10, translate: 0.05)}>',
    );
  });

  it('reads named arguments after commas', () => {
    if (preprocess?.kind !== 'PreprocessDecl') throw new Error('expected preprocess');
    expect(showValue(findSetting(preprocess.body, 'text')!.value)).toBe('<tokenizer "vocab.txt">, max_len: 128, pad: longest');
  });

  it('nests blocks with string keys', () => {
    if (evaluation?.kind !== 'EvalDecl') throw new Error('expected eval');
    const zeroshot = evaluation.body[0]!;
    expect(zeroshot.kind).toBe('SettingsBlock');
    if (zeroshot.kind !== 'SettingsBlock') return;
    const labels = zeroshot.body[0]!;
    if (labels.kind !== 'SettingsBlock') throw new Error('expected labels block');
    const entry = labels.body[0]!;
    if (entry.kind !== 'Setting') throw new Error('expected a setting');
    expect(entry.key.kind).toBe('StringLiteral');
    expect(showValue(entry.value)).toBe('<["x", "y"]>');
    expect(showValue(findSetting(evaluation.body, 'heatmaps')!.value)).toBe(
      '<label "Cardiomegaly">, <reference "No Finding">, <upsample nearest>, <images 8>',
    );
  });
});

describe('declarations', () => {
  it('reads axes with bounds and exact sizes', () => {
    const ast = parseClean('model m {\n  axes { batch; token <= 128; patch = 7 * 7 }\n}');
    const axes = (ast.items[0] as ModelDecl).members[0]!;
    if (axes.kind !== 'AxesDecl') throw new Error('expected axes');
    expect(axes.axes.map((axis) => [axis.name.name, axis.constraint, axis.size === undefined ? '' : show(axis.size)])).toEqual([
      ['batch', 'free', ''],
      ['token', 'max', '128'],
      ['patch', 'exact', '(7 * 7)'],
    ]);
  });

  it('reads model parameters and model instances', () => {
    const ast = parseClean('model a(w: 0.1, r) {\n  loss x = w * y\n}\nmodel b = a(w: 0)');
    const [base, instance] = ast.items;
    if (base?.kind !== 'ModelDecl' || instance?.kind !== 'ModelInstanceDecl') throw new Error('unexpected kinds');
    expect(base.params.map((parameter) => [parameter.name.name, parameter.default === undefined ? '' : show(parameter.default)])).toEqual([
      ['w', '0.1'],
      ['r', ''],
    ]);
    expect(show(instance.value)).toBe('a(w: 0)');
  });

  it('reads blocks with statements and a result', () => {
    const ast = parseClean('block proj(a, b: 128) {\n  let h = a\n  linear(a -> h) | relu\n}');
    const block = ast.items[0]!;
    if (block.kind !== 'BlockDecl') throw new Error('expected block');
    expect(block.statements.map((statement) => statement.kind)).toEqual(['LetDecl']);
    expect(show(block.result!)).toBe('{linear((a -> h)) | relu}');
  });

  it('reads type annotations on let', () => {
    const ast = parseClean('model m {\n  let x: f32[batch, token, 128] = y\n}');
    const member = (ast.items[0] as ModelDecl).members[0]!;
    if (member.kind !== 'LetDecl' || member.type === undefined) throw new Error('expected typed let');
    expect(member.type.dtype.name).toBe('f32');
    expect(member.type.dims.map(show)).toEqual(['batch', 'token', '128']);
  });

  it('keeps an unknown block kind as one node', () => {
    const { ast, diagnostics } = parse('trian {\n  batch: 32\n  nested { x }\n}\n', 'x.tier');
    expect(diagnostics).toEqual([]);
    expect(ast.items).toHaveLength(1);
    expect(ast.items[0]!.kind).toBe('UnknownBlockDecl');
  });

  it('decodes string escapes', () => {
    const ast = parseClean('import "a\\"b\\\\c\\n\\u{e9}.tier"');
    const item = ast.items[0]!;
    if (item.kind !== 'ImportDecl') throw new Error('expected import');
    expect(item.path.value).toBe('a"b\\c\né.tier');
  });
});

describe('spans', () => {
  it('give 1-based line and column with tabs counted as one', () => {
    const { ast } = parse('model m {\n\tlet x = foo\n}', 'x.tier');
    const member = (ast.items[0] as ModelDecl).members[0]!;
    expect(member.span.start).toEqual({ offset: 11, line: 2, column: 2 });
    if (member.kind !== 'LetDecl') throw new Error('expected let');
    expect(member.value.span.start).toEqual({ offset: 19, line: 2, column: 10 });
    expect(member.value.span.end).toEqual({ offset: 22, line: 2, column: 13 });
  });
});

describe('line endings', () => {
  it('counts CRLF and lone CR as one line break', () => {
    const { ast, diagnostics } = parse('model m {\r\n  let a = 1\r  let b = 2\r\n}\r\n', 'x.tier');
    expect(diagnostics).toEqual([]);
    const members = (ast.items[0] as ModelDecl).members;
    expect(members.map((member) => member.span.start.line)).toEqual([2, 3]);
    expect(members[1]!.span.start.column).toBe(3);
  });
});

describe('keywords as values', () => {
  it('reads value keywords as names in expressions', () => {
    const ast = parseClean('train {\n  data: train\n  checkpoint: keep best 1 by eval.e.mean_auroc, export model\n}');
    const train = ast.items[0]!;
    if (train.kind !== 'TrainDecl') throw new Error('expected train');
    expect(showValue(findSetting(train.body, 'data')!.value)).toBe('<train>');
    expect(showValue(findSetting(train.body, 'checkpoint')!.value)).toBe('<keep best 1 by eval.e.mean_auroc>, <export model>');
  });

  it('does not read member keywords as values', () => {
    // The phrase ends before 'loss', which then reads as the key of a setting without a colon.
    const { diagnostics } = parse('model m {\n  let a = 1 +\n  loss b = a\n}\ntrain {\n  checkpoint: keep best 1 by loss\n}', 'x.tier');
    expect(diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.span?.start.line, diagnostic.message])).toEqual([
      ['TIER1006', 3, "Expected an expression but found 'loss'."],
      ['TIER1002', 7, "Expected ':' after 'loss' but found '}'."],
    ]);
  });
});
