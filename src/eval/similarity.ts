// Statistics of token-to-patch similarity, for comparing a TIER-regularized model with its
// unregularized baseline:
//
// - the entropy of each token's softmax over patches (the quantity the regularizer's words
//   term penalizes), summarized over tokens and images;
// - rank-ordered similarities: per image the pooled-token-to-patch cosines sorted in descending
//   order, then the mean and standard deviation at each rank over images.
import { EvalError } from './errors.js';
import { expectRank, type Tensor } from './tensor.js';

/** Computes cosines between every token and every patch of the same image: [image, token, patch]. */
export function tokenPatchSimilarity(tokens: Tensor, patches: Tensor): Tensor {
  const [images, tokenCount, width] = expectRank(tokens, ['image', 'token', 'dim'], 'token embeddings') as [number, number, number];
  const [patchImages, patchCount, patchWidth] = expectRank(patches, ['image', 'patch', 'dim'], 'patch embeddings') as [number, number, number];
  if (patchImages !== images || patchWidth !== width) {
    throw new EvalError({
      code: 'TIER7013',
      message: `Token embeddings have shape [${tokens.shape.join(', ')}] and patch embeddings [${patches.shape.join(', ')}]; the image count and width must agree.`,
    });
  }
  const unitTokens = unitRows(tokens.data, width);
  const unitPatches = unitRows(patches.data, width);
  const result = new Float32Array(images * tokenCount * patchCount);
  for (let n = 0; n < images; n++) {
    for (let t = 0; t < tokenCount; t++) {
      const tokenOffset = (n * tokenCount + t) * width;
      for (let p = 0; p < patchCount; p++) {
        const patchOffset = (n * patchCount + p) * width;
        let sum = 0;
        for (let j = 0; j < width; j++) sum += (unitTokens[tokenOffset + j] as number) * (unitPatches[patchOffset + j] as number);
        result[(n * tokenCount + t) * patchCount + p] = sum;
      }
    }
  }
  return { data: result, shape: [images, tokenCount, patchCount] };
}

export interface EntropyOptions {
  /** Divides similarities before the softmax. Default 1, as the regularizer uses no temperature. */
  temperature?: number;
  /** Added to each probability inside −Σ (p+ε) ln(p+ε). Default 1e-7, as in the regularizer. */
  eps?: number;
  /** Valid (non-padding) tokens per image; tokens at or beyond the count are left out. Default: all tokens. */
  tokenCounts?: readonly number[];
}

export interface EntropyStats {
  /** Mean entropy over all counted tokens of all images, in nats. */
  mean: number;
  /** Standard deviation over those tokens (population form). */
  std: number;
  min: number;
  max: number;
  /** Tokens counted. */
  tokens: number;
  /** ln(patch count): the entropy of a uniform distribution over patches. */
  uniform: number;
  /** Mean entropy per image. */
  perImage: Float64Array;
}

/** Summarizes the entropy of softmax over patches for every token of similarity [image, token, patch]. */
export function patchEntropyStats(similarity: Tensor, options: EntropyOptions = {}): EntropyStats {
  const [images, tokenCount, patchCount] = expectRank(similarity, ['image', 'token', 'patch'], 'similarity') as [number, number, number];
  const temperature = options.temperature ?? 1;
  const eps = options.eps ?? 1e-7;
  if (!(temperature > 0) || !(eps >= 0)) {
    throw new EvalError({ code: 'TIER7023', message: `The temperature (${temperature}) must be positive and eps (${eps}) non-negative.` });
  }
  if (options.tokenCounts !== undefined && options.tokenCounts.length !== images) {
    throw new EvalError({ code: 'TIER7024', message: `There are ${options.tokenCounts.length} token counts for ${images} images.` });
  }
  const perImage = new Float64Array(images);
  let sum = 0;
  let squares = 0;
  let counted = 0;
  let min = Infinity;
  let max = -Infinity;
  const probabilities = new Float64Array(patchCount);
  for (let n = 0; n < images; n++) {
    const valid = Math.min(tokenCount, options.tokenCounts?.[n] ?? tokenCount);
    let imageSum = 0;
    for (let t = 0; t < valid; t++) {
      const offset = (n * tokenCount + t) * patchCount;
      let largest = -Infinity;
      for (let p = 0; p < patchCount; p++) largest = Math.max(largest, (similarity.data[offset + p] as number) / temperature);
      let total = 0;
      for (let p = 0; p < patchCount; p++) {
        const value = Math.exp((similarity.data[offset + p] as number) / temperature - largest);
        probabilities[p] = value;
        total += value;
      }
      let entropy = 0;
      for (let p = 0; p < patchCount; p++) {
        const shifted = (probabilities[p] as number) / total + eps;
        entropy -= shifted * Math.log(shifted);
      }
      imageSum += entropy;
      sum += entropy;
      squares += entropy * entropy;
      min = Math.min(min, entropy);
      max = Math.max(max, entropy);
      counted++;
    }
    perImage[n] = valid > 0 ? imageSum / valid : Number.NaN;
  }
  const mean = counted > 0 ? sum / counted : Number.NaN;
  const variance = counted > 0 ? Math.max(0, squares / counted - mean * mean) : Number.NaN;
  return { mean, std: Math.sqrt(variance), min, max, tokens: counted, uniform: Math.log(patchCount), perImage };
}

export interface RankedSimilarity {
  /** Mean over images of the similarity at each rank (rank 1 = largest), length = patch count. */
  mean: Float64Array;
  /** Standard deviation over images at each rank (sample form; 0 for one image). */
  std: Float64Array;
  images: number;
}

/** Computes cosines of pooled embeddings [image, dim] with patch embeddings [image, patch, dim]: [image, patch]. */
export function pooledPatchSimilarity(pooled: Tensor, patches: Tensor): Tensor {
  const [images, width] = expectRank(pooled, ['image', 'dim'], 'pooled embeddings') as [number, number];
  const asTokens: Tensor = { data: pooled.data, shape: [images, 1, width] };
  const similarity = tokenPatchSimilarity(asTokens, patches);
  return { data: similarity.data, shape: [images, similarity.shape[2] as number] };
}

/** Sorts each image's similarities [image, patch] in descending order and summarizes each rank. */
export function rankOrderedSimilarity(similarity: Tensor): RankedSimilarity {
  const [images, patchCount] = expectRank(similarity, ['image', 'patch'], 'similarity') as [number, number];
  const mean = new Float64Array(patchCount);
  const squares = new Float64Array(patchCount);
  for (let n = 0; n < images; n++) {
    const sorted = Float64Array.from(similarity.data.subarray(n * patchCount, (n + 1) * patchCount)).sort().reverse();
    for (let r = 0; r < patchCount; r++) {
      mean[r] = (mean[r] as number) + (sorted[r] as number);
      squares[r] = (squares[r] as number) + (sorted[r] as number) ** 2;
    }
  }
  const std = new Float64Array(patchCount);
  for (let r = 0; r < patchCount; r++) {
    const total = mean[r] as number;
    mean[r] = images > 0 ? total / images : Number.NaN;
    std[r] = images > 1 ? Math.sqrt(Math.max(0, ((squares[r] as number) - total * (mean[r] as number)) / (images - 1))) : 0;
  }
  return { mean, std, images };
}

function unitRows(data: Float32Array, width: number): Float64Array {
  const result = new Float64Array(data.length);
  for (let offset = 0; offset < data.length; offset += width) {
    let squared = 0;
    for (let j = 0; j < width; j++) squared += (data[offset + j] as number) ** 2;
    // A zero row stays zero, so its cosines are 0.
    const scale = squared > 0 ? 1 / Math.sqrt(squared) : 0;
    for (let j = 0; j < width; j++) result[offset + j] = (data[offset + j] as number) * scale;
  }
  return result;
}
