// Unclosed and stray brackets. Each gets one diagnostic that names the construct and its opening
// line, at the place it should have closed, and no further errors for the same mistake. The rest
// of the file still parses and reports its own errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec, memoryHost } from '../../src/driver/index.js';
import { parse } from '../../src/syntax/index.js';
import { where } from './where.js';

const root = join(import.meta.dirname, '..', '..');

function related(text: string) {
  return parse(text, 'x.tier').diagnostics.map((diagnostic) => diagnostic.related?.map((note) => [note.span.start.line, note.span.start.column, note.message]));
}

describe('unclosed brace', () => {
  const spec = readFileSync(join(root, 'bench/specs/peer_small.tier'), 'utf8');
  const axesLine = 'axes { batch; token <= 32; patch = 8 * 8 }';

  it('reports the axes block of a real spec once', () => {
    expect(spec).toContain(axesLine);
    const broken = spec.replace(axesLine, axesLine.slice(0, -2));
    const result = checkSpec('/s/peer_small.tier', memoryHost({ '/s/peer_small.tier': broken }, '/s'));
    const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
    expect(errors.map((error) => [error.code, error.span?.start.line, error.span?.start.column, error.message])).toEqual([
      ['TIER1011', 8, 43, "The 'axes' block opened at line 8 is not closed; add '}' at the end of line 8."],
    ]);
    expect(errors[0]!.related?.map((note) => [note.span.start.line, note.span.start.column, note.message])).toEqual([[8, 8, "The 'axes' block opens here."]]);
  });

  it('reports a model body and still checks the next declaration', () => {
    const text = 'model m {\n  let a = 1\n\ndata d {\n  manifest: 4 +\n}\n';
    expect(where(text)).toEqual([
      { code: 'TIER1011', line: 2, column: 12, message: "The model 'm' opened at line 1 is not closed; add '}' at the end of line 2." },
      { code: 'TIER1006', line: 6, column: 1, message: "Expected an expression but found '}'." },
    ]);
    expect(related(text)[0]).toEqual([[1, 9, "The model 'm' opens here."]]);
    expect(parse(text, 'x.tier').ast.items.map((item) => item.kind)).toEqual(['ModelDecl', 'DataDecl']);
  });

  it('names train, data and export blocks', () => {
    expect(where('train {\n  model: m\n  batch: 32\n\nexport onnx {\n  opset: 17\n}\n')).toEqual([
      { code: 'TIER1011', line: 3, column: 12, message: "The 'train' block opened at line 1 is not closed; add '}' at the end of line 3." },
    ]);
    expect(where('data d {\n  manifest: "a.csv"\n\neval e {\n  data: d\n}\n')).toEqual([
      { code: 'TIER1011', line: 2, column: 20, message: "The 'data d' block opened at line 1 is not closed; add '}' at the end of line 2." },
    ]);
    expect(where('export onnx {\n  opset: 17\n')).toEqual([
      { code: 'TIER1011', line: 2, column: 12, message: "The 'export onnx' block opened at line 1 is not closed; add '}' at the end of the file." },
    ]);
  });

  it('names eval blocks and user blocks', () => {
    expect(where('eval chexpert {\n  data: d\n  metrics: auroc\n\nexport onnx {\n  opset: 17\n}\n')).toEqual([
      { code: 'TIER1011', line: 3, column: 17, message: "The 'eval chexpert' block opened at line 1 is not closed; add '}' at the end of line 3." },
    ]);
    expect(where('block proj(w: 4) {\n  linear(out: w) | gelu\n\nmodel m {\n  let a = 1\n}\n')).toEqual([
      { code: 'TIER1011', line: 2, column: 24, message: "The block 'proj' opened at line 1 is not closed; add '}' at the end of line 2." },
    ]);
  });

  it('closes a nested eval block where the outer items resume', () => {
    const text = 'eval e {\n  zeroshot {\n    labels {\n      "A": ["a"]\n    negatives: ["n"]\n  }\n}\n';
    expect(where(text)).toEqual([
      { code: 'TIER1011', line: 4, column: 17, message: "The 'labels' block opened at line 3 is not closed; add '}' at the end of line 4." },
    ]);
    const item = parse(text, 'x.tier').ast.items[0]!;
    const zeroshot = item.kind === 'EvalDecl' ? item.body[0] : undefined;
    expect(zeroshot?.kind === 'SettingsBlock' ? zeroshot.body.map((inner) => inner.kind) : []).toEqual(['SettingsBlock', 'Setting']);
  });

  it('closes a parameter list before the body', () => {
    expect(where('model m(a: 1, b: 2 {\n  let x = a\n}\n')).toEqual([
      { code: 'TIER1011', line: 1, column: 19, message: "The parameter list of 'm' opened at line 1 is not closed; add ')' before '{'." },
    ]);
  });
});

describe('unclosed parenthesis or list', () => {
  it('reports a call followed by the next statement', () => {
    const text = 'model m {\n  image encoder = vit(image: 64, patch: 8\n  text encoder = bert(layers: 2)\n}\n';
    expect(where(text)).toEqual([
      { code: 'TIER1011', line: 2, column: 42, message: "The call to 'vit' opened at line 2 is not closed; add ')' at the end of line 2." },
    ]);
    expect(related(text)[0]).toEqual([[2, 22, "The call to 'vit' opens here."]]);
    const model = parse(text, 'x.tier').ast.items[0]!;
    expect(model.kind === 'ModelDecl' ? model.members.map((member) => member.kind) : []).toEqual(['EncoderDecl', 'EncoderDecl']);
  });

  it('reports a list followed by the next setting', () => {
    expect(where('export onnx {\n  graphs: [image_tower, text_tower\n  dynamic: [batch]\n}\n')).toEqual([
      { code: 'TIER1011', line: 2, column: 35, message: "The list opened at line 2 is not closed; add ']' at the end of line 2." },
    ]);
  });

  it('closes a list before a named argument', () => {
    expect(where('model m {\n  loss l = mean(x, over: [batch, token, mask: p)\n}\n')).toEqual([
      { code: 'TIER1011', line: 2, column: 39, message: "The list opened at line 2 is not closed; add ']' before ','." },
    ]);
  });

  it('closes an argument before the comma that continues the outer call', () => {
    const text = 'model m {\n  loss l = mean(\n    entropy(softmax(s, over: patch),\n    over: [batch]\n  )\n}\n';
    expect(where(text)).toEqual([
      { code: 'TIER1011', line: 3, column: 36, message: "The call to 'entropy' opened at line 3 is not closed; add ')' before ','." },
    ]);
  });

  it('closes a call before a continuation line left of it', () => {
    const text = 'model m {\n  loss w = warmup(0 -> 0.2, steps: 2000 *\n    mean(x)\n}\n';
    expect(where(text)).toEqual([
      { code: 'TIER1011', line: 2, column: 40, message: "The call to 'warmup' opened at line 2 is not closed; add ')' before '*'." },
    ]);
  });

  it('reports a group ending in an operator as a missing expression', () => {
    expect(where('model m {\n  let y = (1 +\n  let z = 2\n}\n')).toEqual([
      {
        code: 'TIER1006',
        line: 3,
        column: 3,
        message: "Expected an expression after '+' but found 'let'; complete the '(' opened at line 2 and close it with ')'.",
      },
    ]);
  });

  it('reports a call cut off by the end of the file', () => {
    expect(where('model m {\n  let a = f(1,').map((found) => found.message)).toEqual([
      "Expected an expression after ',' but found the end of the file; complete the call to 'f' opened at line 2 and close it with ')'.",
      "The model 'm' opened at line 1 is not closed; add '}' at the end of the file.",
    ]);
  });

  it('reports an empty group at the next token', () => {
    const text = 'model m {\n  let x = (\n  let y = 2\n}\n';
    expect(where(text)).toEqual([
      {
        code: 'TIER1006',
        line: 3,
        column: 3,
        message: "Expected an expression after '(' but found 'let'; complete the '(' opened at line 2 and close it with ')'.",
      },
    ]);
    expect(related(text)[0]).toEqual([[2, 11, "The '(' opens here."]]);
  });

  it('reports an empty call as unclosed only', () => {
    expect(where('model m {\n  head h = linear(\n  head g = relu\n}\n')).toEqual([
      { code: 'TIER1011', line: 2, column: 19, message: "The call to 'linear' opened at line 2 is not closed; add ')' at the end of line 2." },
    ]);
  });
});

describe('unclosed string', () => {
  it('reports only the string that took the bracket', () => {
    expect(where('model m {\n  image encoder = resnet50(init: "w.safetensors)\n  head h = linear(2 -> 2)\n}\n')).toEqual([
      { code: 'TIER1003', line: 2, column: 34, message: "String is not closed; add '\"' before the end of the line." },
    ]);
  });
});

describe('closing bracket without an opening one', () => {
  it('reports a doubled parenthesis', () => {
    expect(where('model m {\n  let a = f(1))\n  let b = 2\n}\n')).toEqual([
      { code: 'TIER1012', line: 2, column: 15, message: "This ')' has no matching '('; remove it or add the '(' it closes." },
    ]);
  });

  it('reports a doubled brace at the top level', () => {
    expect(where('model m {\n  let a = 1\n}\n}\n')).toEqual([
      { code: 'TIER1012', line: 4, column: 1, message: "This '}' has no matching '{'; remove it or add the '{' it closes." },
    ]);
  });

  it('leaves other unmatched brackets to the parser', () => {
    expect(where('model m {\n  let a = f 1)\n  let b = 2\n}\n').map((found) => found.code)).toEqual(['TIER1002']);
  });

  it('reports a block that lost its opening brace once', () => {
    expect(where('train\n  batch: 32\n}\n\nexport onnx {\n  opset: 17\n}\n')).toEqual([
      { code: 'TIER1002', line: 2, column: 8, message: "Expected '{' but found ':'." },
    ]);
  });
});

describe('layout only for unbalanced files', () => {
  it('parses a balanced file with a continuation left of its bracket', () => {
    expect(where('model m {\n  loss l = infonce(a,\nb)\n}\n')).toEqual([]);
  });

  it('ignores parentheses inside an unknown block kind', () => {
    expect(where('trian {  odd   spacing ( kept }\n')).toEqual([]);
    expect(where('trian { ( ] }\nmodel m {\n  let a = (1\n}\n').map((found) => [found.code, found.line])).toEqual([['TIER1011', 3]]);
  });

  it('closes blocks of an unindented file at column-1 declarations', () => {
    expect(where('model m {\nlet a = 1\n\ntrain {\nbatch: 2\n}\n')).toEqual([
      { code: 'TIER1011', line: 2, column: 10, message: "The model 'm' opened at line 1 is not closed; add '}' at the end of line 2." },
    ]);
  });

  it('closes calls before a model member', () => {
    expect(where('model m {\nimage encoder = vit(\nimage: 64\ntext encoder = bert()\n}\n')).toEqual([
      { code: 'TIER1011', line: 3, column: 10, message: "The call to 'vit' opened at line 2 is not closed; add ')' at the end of line 3." },
    ]);
    expect(where('model m {\naxes {\nbatch\nlet a = 1\n}\n').map((found) => found.message)).toEqual([
      "The 'axes' block opened at line 2 is not closed; add '}' at the end of line 3.",
    ]);
  });

  it('reads member keywords as names before a colon', () => {
    expect(where('model m {\n  let a = f(loss: 1, x.loss\n}\n').map((found) => found.message)).toEqual([
      "The call to 'f' opened at line 2 is not closed; add ')' at the end of line 2.",
    ]);
  });

  it('reports at most ten brackets', () => {
    const text = `model m {\n${Array.from({ length: 30 }, (_, index) => `  let a${index} = f(1\n`).join('')}}\n`;
    const found = where(text);
    expect(found).toHaveLength(10);
    expect(found.every((entry) => entry.code === 'TIER1011')).toBe(true);
  });
});
