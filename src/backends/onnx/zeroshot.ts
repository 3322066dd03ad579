// The zero-shot scorer of a spec: its eval block's prompts are tokenized as the preprocess block
// specifies, run through the text tower with the weights being exported, and averaged per label
// (`embedPrompts`, the evaluation layer's averaging). The result is the `zeroshot` graph option.
import { loadTokenizer, encodeBatch, type TextTokenizer } from '../../data/tokenizer/index.js';
import { DataError } from '../../data/errors.js';
import type { Diagnostic, Span } from '../../diagnostics/types.js';
import { embedPrompts, expandPrompts, EvalError, type PromptEmbeddings, type ScoreRule, type TextEncoder } from '../../eval/index.js';
import type { TensorValue } from '../../ir/interpret.js';
import type { IrModule } from '../../ir/types.js';
import { backendDiagnostic } from './diagnostics.js';
import type { ZeroShotOptions } from './graphs.js';
import { embedTexts } from './prompts.js';
import type { Weights } from './weights.js';

/** Tokenizer settings for prompts, as the preprocess block gives them. */
export interface PromptText {
  /** WordPiece vocab.txt or Hugging Face tokenizer.json, absolute or relative to the working directory. */
  tokenizer?: string;
  maxLen: number;
  padding: 'longest' | 'max_length';
}

export interface SpecZeroShotRequest {
  model: IrModule;
  weights: Weights;
  /** The eval block's zero-shot section; undefined when the spec has none. */
  prompts: { labels: Record<string, string[]>; negatives: string[]; score: ScoreRule } | undefined;
  /** The preprocess block's text settings; undefined when the spec has no preprocess block. */
  text: PromptText | undefined;
  opset?: number;
  /** The export block, where diagnostics point. */
  span?: Span;
}

/** Builds the zero-shot labels of a spec, or returns TIER4008 errors that name what is missing. */
export async function zeroShotFromSpec(request: SpecZeroShotRequest): Promise<ZeroShotOptions | Diagnostic[]> {
  const { model, prompts, text, span } = request;
  if (prompts === undefined) {
    return [backendDiagnostic('TIER4008', `Graph 'zeroshot' of model '${model.name}' needs prompts, but no eval block of the spec has a 'zeroshot' section; add one, or leave 'zeroshot' out of the export block's graphs or of 'tierc compile --graphs'.`, span)];
  }
  if (text?.tokenizer === undefined) {
    return [backendDiagnostic('TIER4008', `Graph 'zeroshot' of model '${model.name}' needs a tokenizer for its prompts, but the preprocess block names none; add 'text: tokenizer "vocab.txt", max_len: N'.`, span)];
  }
  let tokenizer: TextTokenizer;
  try {
    tokenizer = loadTokenizer(text.tokenizer);
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    return [backendDiagnostic('TIER4008', `Graph 'zeroshot' of model '${model.name}' needs the tokenizer file '${text.tokenizer}' to encode its prompts: ${error.issue.message} Provide the file, or leave 'zeroshot' out of the export block's graphs or of 'tierc compile --graphs'.`, span)];
  }
  const encoder = onnxTextEncoder(model, request.weights, tokenizer, text, request.opset);
  try {
    const embeddings = await embedPrompts(expandPrompts({ labels: prompts.labels, negatives: prompts.negatives }), encoder);
    return zeroShotOptions(embeddings, prompts.score);
  } catch (error) {
    if (!(error instanceof EvalError)) throw error;
    return [backendDiagnostic('TIER4008', `The zero-shot prompts of model '${model.name}' cannot be encoded: ${error.message}`, span)];
  }
}

/** Returns a text encoder that tokenizes texts and runs them through the exported text tower in onnxruntime-node. */
export function onnxTextEncoder(module: IrModule, weights: Weights, tokenizer: TextTokenizer, text: Omit<PromptText, 'tokenizer'>, opset?: number): TextEncoder {
  return async (texts) => {
    const encoded = encodeBatch(tokenizer, texts, { maxLen: text.maxLen, padding: text.padding });
    const [count] = encoded.shape;
    const inputs: Record<string, TensorValue> = {};
    for (const input of module.inputs) {
      if (input.role === 'token_ids') inputs[input.name] = { shape: [...encoded.shape], data: encoded.tokenIds };
      if (input.role === 'attention_mask') inputs[input.name] = { shape: [...encoded.shape], data: encoded.attentionMask };
      if (input.role === 'pool_index') inputs[input.name] = { shape: [count], data: encoded.eotIndex };
    }
    const rows = await embedTexts(module, weights, inputs, opset);
    return rows.map((row) => Float32Array.from(row));
  };
}

/** Converts averaged prompt embeddings into the `zeroshot` graph option. */
export function zeroShotOptions(prompts: PromptEmbeddings, rule: ScoreRule): ZeroShotOptions {
  return { labels: prompts.labels.map((entry) => ({ name: entry.label, positive: entry.positive, negative: entry.negative })), rule };
}
