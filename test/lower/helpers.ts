// Builds a program from in-memory spec texts and lowers it, for lowering tests.
import type { Program, SourceFile } from '../../src/ast/index.js';
import { lowerProgram, type LowerResult } from '../../src/lower/index.js';
import type { LowerSettings } from '../../src/lower/index.js';
import { parse } from '../../src/syntax/index.js';

/** Parses one spec text as `test.tier`; fails the test on syntax errors. */
export function programOf(text: string, file = 'test.tier'): Program {
  const { ast, diagnostics } = parse(text, file);
  if (diagnostics.length > 0) throw new Error(`syntax errors: ${diagnostics.map((d) => d.message).join('; ')}`);
  const root: SourceFile = { path: `/${file}`, displayPath: file, text, ast, imports: [] };
  return { root, files: [root] };
}

export function lowerText(text: string, settings: LowerSettings = {}): LowerResult {
  return lowerProgram(programOf(text), () => settings);
}

export const TIER_CXR = `
model tier_cxr {
  axes {
    batch
    token <= 128
    patch = 7 * 7
  }

  image encoder = resnet50(output: layer4)
  text encoder  = bert(layers: 12, width: 768, heads: 12, vocab: 30522,
                       freeze: [embeddings, layers[0..7]])

  head patch_proj = conv1x1(2048 -> 128, bias: false) | batchnorm | relu | conv1x1(128 -> 128)
  head token_proj = linear(768 -> 128) | gelu | layernorm(eps: 1e-12) | linear(128 -> 128)

  let patches = normalize(patch_proj(image.grid), over: dim)
  let tokens  = normalize(token_proj(text.tokens), over: dim)
  let img     = normalize(mean(patch_proj(image.grid), over: patch), over: dim)
  let txt     = normalize(token_proj(text.cls), over: dim)

  let sim = tokens . patches

  param logit_scale = ln(1 / 0.07)

  loss clip    = infonce(img, txt, scale: exp(logit_scale))
  loss words   = 0.1 * mean(entropy(softmax(sim, over: patch), eps: 1e-7), over: [batch, token])
  loss regions = 0.1 * mean(entropy(softmax(sim, over: token), eps: 1e-7), over: [batch, patch])
}
`;
