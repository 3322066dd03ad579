import { describe, expect, it } from 'vitest';
import { parse } from '../../src/syntax/index.js';
import { where } from './where.js';

describe('syntax error recovery', () => {
  it('reports three separate errors with positions', () => {
    const text = [
      'model m {',
      '  let a = 1 +', // 2: expression missing; the next line starts with 'let'
      '  let b = 2',
      '  loss c = infonce(a, b, scale: )', // 4: empty argument value
      '}',
      '',
      'train {',
      '  batch: 32',
      '  seed 1', // 9: missing colon
      '  duration: 50 epochs',
      '}',
    ].join('\n');
    expect(where(text)).toEqual([
      { code: 'TIER1006', line: 3, column: 3, message: "Expected an expression but found 'let'." },
      { code: 'TIER1006', line: 4, column: 33, message: "Expected an expression but found ')'." },
      { code: 'TIER1002', line: 9, column: 8, message: "Expected ':' after 'seed' but found '1'." },
    ]);
  });

  it('keeps parsing the next declaration after a missing brace', () => {
    const result = where('model m {\n  let a = 1\n\ntrain {\n  batch: 3\n}\n\ndata d {\n  manifest: 4 +\n}\n');
    expect(result).toEqual([
      { code: 'TIER1011', line: 2, column: 12, message: "The model 'm' opened at line 1 is not closed; add '}' at the end of line 2." },
      { code: 'TIER1006', line: 10, column: 1, message: "Expected an expression but found '}'." },
    ]);
  });

  it('reports junk between declarations', () => {
    expect(where('model m {}\nlet x = 1\n')).toEqual([
      {
        code: 'TIER1007',
        line: 2,
        column: 1,
        message: "Expected a declaration (import, model, block, data, preprocess, train, eval or export) but found 'let'.",
      },
    ]);
  });

  it('reports a block result count', () => {
    expect(where('block b(x) {\n  let y = x\n}\n').map((entry) => entry.code)).toEqual(['TIER1009']);
    expect(where('block b(x) {\n  relu\n  gelu\n}\n')).toEqual([
      { code: 'TIER1009', line: 3, column: 3, message: "Block 'b' has more than one result expression; name the earlier ones with 'let'." },
    ]);
  });

  it('names the end of file when input stops early', () => {
    const text = 'model m {\n  let a = f(1,';
    const result = parse(text, 'x.tier').diagnostics;
    expect(result.length).toBeGreaterThan(0);
    expect(result[0]!.message).toContain('the end of the file');
    expect(result[0]!.span!.start.offset).toBeLessThanOrEqual(text.length);
  });
});

describe('lexing errors', () => {
  it('reports unexpected characters with columns right after tabs and wide characters', () => {
    const text = 'model m {\n\tlet a = "é😀" + 中文 + b\n\tlet c = 1 é\n}';
    expect(where(text)).toEqual([
      { code: 'TIER1001', line: 2, column: 18, message: "Unexpected characters '中文'; remove them or put them inside a string." },
      { code: 'TIER1001', line: 3, column: 12, message: "Unexpected character 'é'; remove it or put it inside a string." },
    ]);
  });

  it('shows invisible characters as code points', () => {
    expect(where('model m {\u0001}')[0]!.message).toBe("Unexpected character '\\u{1}'; remove it or put it inside a string.");
  });

  it('reports unterminated strings and comments', () => {
    expect(where('import "abc\nmodel m {}').map((entry) => [entry.code, entry.line, entry.column])).toEqual([['TIER1003', 1, 8]]);
    expect(where('model m {}\n/* open').map((entry) => [entry.code, entry.line, entry.column])).toEqual([['TIER1004', 2, 1]]);
  });

  it('reports invalid escapes at the backslash', () => {
    expect(where('import "a\\qb.tier"')).toEqual([
      {
        code: 'TIER1005',
        line: 1,
        column: 10,
        message: 'Invalid escape sequence \'\\q\' in a string; valid escapes are \\", \\\\, \\n, \\t, \\r and \\u{hex}.',
      },
    ]);
  });

  it('reports numbers too large to represent', () => {
    expect(where('model m {\n  let a = 1e999\n}').map((entry) => entry.code)).toEqual(['TIER1010']);
  });
});

describe('limits', () => {
  it('reports deep bracket nesting instead of overflowing the stack', () => {
    const depth = 20_000;
    const text = `model m {\n  let a = ${'('.repeat(depth)}1${')'.repeat(depth)}\n}\n`;
    const diagnostics = parse(text, 'x.tier').diagnostics;
    expect(diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['TIER1008']);
    expect(diagnostics[0]!.span!.start.line).toBe(2);
  });

  it('reports long operator chains that nest too deep', () => {
    const text = `model m {\n  let a = ${Array.from({ length: 2000 }, () => 'x').join(' + ')}\n}\n`;
    expect(parse(text, 'x.tier').diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['TIER1008']);
  });

  it('parses a one-megabyte line', () => {
    const prompt = 'The cardiac silhouette is enlarged and there is a small effusion';
    const elements = Array.from({ length: 15_000 }, (_, index) => `"${prompt} ${index}."`).join(', ');
    const text = `eval e {\n  negatives: [${elements}]\n}\n`;
    expect(text.length).toBeGreaterThan(1_000_000);
    const { ast, diagnostics } = parse(text, 'x.tier');
    expect(diagnostics).toEqual([]);
    const item = ast.items[0]!;
    const setting = item.kind === 'EvalDecl' ? item.body[0] : undefined;
    const part = setting?.kind === 'Setting' && setting.value.items[0]?.kind === 'Phrase' ? setting.value.items[0].parts[0] : undefined;
    expect(part?.kind === 'ListExpr' ? part.elements.length : 0).toBe(15_000);
  });

  it('rejects chained arrows', () => {
    expect(where('model m {\n  head h = linear(1 -> 2 -> 3)\n}')).toEqual([
      { code: 'TIER1006', line: 2, column: 26, message: "Arrows do not chain; add parentheses to group '->'." },
    ]);
  });
});

describe('misspelt members', () => {
  it('suggests the member keyword', () => {
    expect(where('model m {\n  lett a = 1\n}')).toEqual([
      { code: 'TIER1002', line: 2, column: 3, message: "Expected a model member but found 'lett'. Did you mean 'let'?" },
    ]);
  });

  it('asks for encoder after an unknown word', () => {
    expect(where('model m {\n  image = vit()\n}')[0]!.message).toBe("Expected 'encoder' but found '='.");
  });
});

describe('doubled comma in a setting', () => {
  it('reports one error and keeps the next setting', () => {
    const text = 'train {\n  model: m\n  batch: 32,,\n  steps: 10\n}\n';
    expect(where(text)).toEqual([{ code: 'TIER1006', line: 3, column: 12, message: "Setting 'batch' ends with stray commas; remove them." }]);
    const train = parse(text, 'x.tier').ast.items[0]!;
    expect(train.kind).toBe('TrainDecl');
    expect(train.span.end.offset).toBe(text.length - 1);
  });

  it('reports a run of commas once', () => {
    expect(where('train {\n  batch: 32,,, 4\n}\n')).toEqual([
      { code: 'TIER1006', line: 2, column: 13, message: "Expected an expression but found ','; remove the extra commas." },
    ]);
  });

  it('reports each separate doubled comma', () => {
    expect(where('train {\n  batch: 32,, 4,, 5\n}\n').map((found) => found.column)).toEqual([13, 17]);
  });

  it('reports a comma before a closing brace', () => {
    expect(where('train {\n  batch: 32, }\n')).toEqual([{ code: 'TIER1006', line: 2, column: 12, message: "Setting 'batch' ends with a stray ','; remove it." }]);
  });

  it('reports commas before a closing brace once', () => {
    expect(where('train {\n  batch: 32,,\n}\n')).toEqual([{ code: 'TIER1006', line: 2, column: 12, message: "Setting 'batch' ends with stray commas; remove them." }]);
  });
});

describe('comma at the end of a setting line', () => {
  const text = 'train {\n  model: m\n  batch: 32,\n  steps: 10\n}\n';

  it('names the stray comma', () => {
    expect(where(text)).toEqual([{ code: 'TIER1006', line: 3, column: 12, message: "Setting 'batch' ends with a stray ','; remove it." }]);
  });

  it('keeps the next line as its own setting', () => {
    const train = parse(text, 'x.tier').ast.items[0]!;
    const body = train.kind === 'TrainDecl' ? train.body : [];
    expect(body.map((item) => (item.kind === 'Setting' && item.key.kind === 'Identifier' ? item.key.name : item.kind))).toEqual(['model', 'batch', 'steps']);
    const batch = body[1];
    expect(batch?.kind === 'Setting' ? batch.value.items.map((item) => item.kind) : []).toEqual(['Phrase']);
  });

  it('reads a nested block after the comma as the next item', () => {
    const found = where('eval e {\n  data: d,\n  zeroshot {\n    score: difference\n  }\n}\n');
    expect(found).toEqual([{ code: 'TIER1006', line: 2, column: 10, message: "Setting 'data' ends with a stray ','; remove it." }]);
  });

  it('names a quoted key', () => {
    const found = where('eval e {\n  zeroshot {\n    labels {\n      "Edema": ["a"],\n      "Nodule": ["b"]\n    }\n  }\n}\n');
    expect(found.map((entry) => entry.message)).toEqual(["Setting 'Edema' ends with a stray ','; remove it."]);
  });

  it('keeps named arguments on a more indented line', () => {
    const { ast, diagnostics } = parse('preprocess {\n  text: tokenizer "v.txt",\n    max_len: 32, pad: longest\n  image: resize(64)\n}\n', 'x.tier');
    expect(diagnostics).toEqual([]);
    const body = ast.items[0]!.kind === 'PreprocessDecl' ? ast.items[0]!.body : [];
    expect(body).toHaveLength(2);
    const text = body[0];
    expect(text?.kind === 'Setting' ? text.value.items.map((item) => item.kind) : []).toEqual(['Phrase', 'NamedArgument', 'NamedArgument']);
  });
});
