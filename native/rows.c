/*
 * Row and element kernels of the tierc native addon, for the layers around the matrix
 * products: layer norm, QuickGELU, the attention softmax and the Adam update, each with
 * its backward pass where training needs one. The wasm backend runs each of these as 5 to
 * 15 separate kernels that pass over the tensor again; here each is one pass. One export:
 *   rows(heap: Float32Array, op: number, desc: Int32Array, params: Float64Array)
 * where desc contains sizes and heap offsets (in floats) and params the real-valued settings.
 * Every region is checked against the heap's length before anything is written.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "napi_util.h"
#include "node_api_min.h"
#include "rows.h"

enum { OP_LAYER_NORM, OP_LAYER_NORM_GRAD, OP_QUICK_GELU, OP_QUICK_GELU_GRAD, OP_SOFTMAX, OP_SOFTMAX_GRAD, OP_ADAM, OP_COUNT };

typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

static inline v4f load4(const float *p) {
  v4f v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline void store4(float *p, v4f v) { memcpy(p, &v, sizeof v); }

/* Lanes of a where mask is set, else lanes of b. */
static inline v4f select4(v4i mask, v4f a, v4f b) { return (v4f)((mask & (v4i)a) | (~mask & (v4i)b)); }

/*
 * e^x for four floats, by 2^n · p(r) with x = n·ln 2 + r and |r| ≤ ln 2 / 2. p is the
 * degree-6 Taylor polynomial of e^r, whose relative error is below 2e-7 there. Below -87 the
 * result is 0 (a masked score gives probability 0, and no subnormal reaches the products),
 * above 88 it is e^88. A NaN stays NaN. Written with vector types because the compiler does
 * not vectorize the clamps of a scalar loop without fast-math.
 */
static inline v4f exp4(v4f x) {
  const v4f lo = {-87.0f, -87.0f, -87.0f, -87.0f}, hi = {88.0f, 88.0f, 88.0f, 88.0f}, zero = {0, 0, 0, 0};
  v4i underflow = x < lo;
  x = select4(underflow, lo, x);
  x = select4(x > hi, hi, x);
  /* Adding and subtracting 1.5·2^23 rounds to the nearest whole number in round-to-nearest mode. */
  v4f n = (x * 1.44269504f + 12582912.0f) - 12582912.0f;
  v4f r = x - n * 0.693145752f - n * 1.42860677e-6f;
  v4f p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f + r * (0.00833333377f + r * 0.00138888892f)))));
  v4i scale = (__builtin_convertvector(n, v4i) + 127) << 23;
  return select4(underflow, zero, p * (v4f)scale);
}

/* e^x for one float through the vector form, for loop tails. */
static inline float exp1(float x) {
  v4f v = {x, x, x, x};
  return exp4(v)[0];
}

/* y = (x - mean)·rstd·gamma + beta per row, saving xhat and rstd; biased variance. */
static void layer_norm(float *heap, const int32_t *d, const double *p) {
  int64_t rows = d[0], width = d[1];
  const float *gamma = heap + d[3], *beta = heap + d[4];
  float eps = (float)p[0];
  for (int64_t r = 0; r < rows; r++) {
    const float *x = heap + d[2] + r * width;
    float *y = heap + d[5] + r * width, *xhat = heap + d[6] + r * width;
    double sum = 0;
    for (int64_t j = 0; j < width; j++) sum += x[j];
    float mean = (float)(sum / (double)width);
    double squares = 0;
    for (int64_t j = 0; j < width; j++) squares += (double)(x[j] - mean) * (double)(x[j] - mean);
    float rstd = (float)(1.0 / sqrt(squares / (double)width + eps));
    heap[d[7] + r] = rstd;
    for (int64_t j = 0; j < width; j++) {
      xhat[j] = (x[j] - mean) * rstd;
      y[j] = xhat[j] * gamma[j] + beta[j];
    }
  }
}

/*
 * dx = rstd·(g − mean(g) − xhat·mean(g·xhat)) with g = dy·gamma; dgamma = Σ_rows dy·xhat and
 * dbeta = Σ_rows dy, summed in double in row order.
 */
static int layer_norm_grad(float *heap, const int32_t *d, const double *p) {
  (void)p;
  int64_t rows = d[0], width = d[1];
  const float *gamma = heap + d[5];
  double *sums = calloc((size_t)(2 * width > 0 ? 2 * width : 1), sizeof(double));
  if (sums == NULL) return -1;
  for (int64_t r = 0; r < rows; r++) {
    const float *dy = heap + d[2] + r * width, *xhat = heap + d[3] + r * width;
    float rstd = heap[d[4] + r];
    float *dx = heap + d[6] + r * width;
    double mean_g = 0, mean_gx = 0;
    for (int64_t j = 0; j < width; j++) {
      float g = dy[j] * gamma[j];
      mean_g += g;
      mean_gx += (double)g * xhat[j];
      sums[j] += (double)dy[j] * xhat[j];
      sums[width + j] += dy[j];
    }
    float mg = (float)(mean_g / (double)width), mgx = (float)(mean_gx / (double)width);
    for (int64_t j = 0; j < width; j++) dx[j] = rstd * (dy[j] * gamma[j] - mg - xhat[j] * mgx);
  }
  for (int64_t j = 0; j < width; j++) {
    heap[d[7] + j] = (float)sums[j];
    heap[d[8] + j] = (float)sums[width + j];
  }
  free(sums);
  return 0;
}

/* y = x·σ(αx), saving s = σ(αx). */
static void quick_gelu(float *heap, const int32_t *d, const double *p) {
  int64_t n = d[0];
  const float *x = heap + d[1];
  float *y = heap + d[2], *s = heap + d[3];
  float alpha = (float)p[0];
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    v4f xv = load4(x + i);
    v4f v = 1.0f / (1.0f + exp4(-alpha * xv));
    store4(s + i, v);
    store4(y + i, xv * v);
  }
  for (; i < n; i++) {
    float v = 1.0f / (1.0f + exp1(-alpha * x[i]));
    s[i] = v;
    y[i] = x[i] * v;
  }
}

/* dx = dy·(s + αx·s·(1 − s)). */
static void quick_gelu_grad(float *heap, const int32_t *d, const double *p) {
  int64_t n = d[0];
  const float *x = heap + d[1], *s = heap + d[2], *dy = heap + d[3];
  float *dx = heap + d[4];
  float alpha = (float)p[0];
  for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * (s[i] + alpha * x[i] * s[i] * (1.0f - s[i]));
}

/* In place: row r becomes softmax(row + mask[r mod mask_rows]); no mask when its offset is −1. */
static void softmax(float *heap, const int32_t *d, const double *p) {
  (void)p;
  int64_t rows = d[0], width = d[1], mask_rows = d[4];
  for (int64_t r = 0; r < rows; r++) {
    float *x = heap + d[2] + r * width;
    if (d[3] >= 0) {
      const float *mask = heap + d[3] + (r % mask_rows) * width;
      for (int64_t j = 0; j < width; j++) x[j] += mask[j];
    }
    float max = x[0];
    for (int64_t j = 1; j < width; j++) max = x[j] > max ? x[j] : max;
    v4f sums = {0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 4 <= width; j += 4) {
      v4f e = exp4(load4(x + j) - max);
      store4(x + j, e);
      sums += e;
    }
    float sum = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    for (; j < width; j++) {
      x[j] = exp1(x[j] - max);
      sum += x[j];
    }
    float inverse = 1.0f / sum;
    for (int64_t j = 0; j < width; j++) x[j] *= inverse;
  }
}

/* In place on dp: scale·p·(dp − Σ_j dp·p) per row. */
static void softmax_grad(float *heap, const int32_t *d, const double *p) {
  int64_t rows = d[0], width = d[1];
  float scale = (float)p[0];
  for (int64_t r = 0; r < rows; r++) {
    const float *prob = heap + d[2] + r * width;
    float *g = heap + d[3] + r * width;
    float dot = 0;
    for (int64_t j = 0; j < width; j++) dot += g[j] * prob[j];
    for (int64_t j = 0; j < width; j++) g[j] = scale * prob[j] * (g[j] - dot);
  }
}

/*
 * One Adam step over n values, written to new buffers: with g' = g + l2·w,
 * m' = β1·m + (1 − β1)·g', v' = β2·v + (1 − β2)·g'², w' = keep·w − (m' / (√v' / c2 + ε))·step.
 * params: β1, 1 − β1, β2, 1 − β2, c2 = √(1 − β2^t), ε, step = lr / (1 − β1^t),
 * keep = 1 − lr·decay (AdamW, else 1), l2 (Adam's decay, else 0). Each operation rounds to
 * float in the order the wasm backend's kernels apply them, so the results match its bits.
 */
static void adam(float *heap, const int32_t *d, const double *p) {
  int64_t n = d[0];
  const float *w = heap + d[1], *g = heap + d[2], *m = heap + d[3], *v = heap + d[4];
  float *w_out = heap + d[5], *m_out = heap + d[6], *v_out = heap + d[7];
  float beta1 = (float)p[0], rest1 = (float)p[1], beta2 = (float)p[2], rest2 = (float)p[3];
  float c2 = (float)p[4], eps = (float)p[5], step = (float)p[6], keep = (float)p[7], l2 = (float)p[8];
  for (int64_t i = 0; i < n; i++) {
    float grad = l2 != 0.0f ? g[i] + w[i] * l2 : g[i];
    float m2 = m[i] * beta1 + grad * rest1;
    float v2 = v[i] * beta2 + (grad * grad) * rest2;
    float denom = sqrtf(v2) / c2 + eps;
    float base = keep != 1.0f ? w[i] * keep : w[i];
    m_out[i] = m2;
    v_out[i] = v2;
    w_out[i] = base - (m2 / denom) * step;
  }
}

/* A region of the heap an op reads or writes: desc index of its offset and its length in floats. */
typedef struct {
  const char *name;
  int offset_index;
  int64_t length;
} region;

typedef struct {
  const char *name;
  int desc_length;
  int param_count;
} op_info;

static const op_info OPS[OP_COUNT] = {
    {"layerNorm", 8, 1}, {"layerNormGrad", 9, 0}, {"quickGelu", 4, 1}, {"quickGeluGrad", 5, 1},
    {"softmax", 5, 0},   {"softmaxGrad", 4, 1},   {"adam", 8, 9},
};

/* Lists the regions of `op` for the sizes in desc; returns their count. */
static int regions_of(int op, const int32_t *d, region *out) {
  int64_t rows = d[0], width = op <= OP_LAYER_NORM_GRAD || op >= OP_SOFTMAX ? d[1] : 0, all = rows * width;
  switch (op) {
    case OP_LAYER_NORM:
      out[0] = (region){"x", 2, all}, out[1] = (region){"gamma", 3, width}, out[2] = (region){"beta", 4, width};
      out[3] = (region){"y", 5, all}, out[4] = (region){"xhat", 6, all}, out[5] = (region){"rstd", 7, rows};
      return 6;
    case OP_LAYER_NORM_GRAD:
      out[0] = (region){"dy", 2, all}, out[1] = (region){"xhat", 3, all}, out[2] = (region){"rstd", 4, rows};
      out[3] = (region){"gamma", 5, width}, out[4] = (region){"dx", 6, all}, out[5] = (region){"dgamma", 7, width};
      out[6] = (region){"dbeta", 8, width};
      return 7;
    case OP_QUICK_GELU:
      out[0] = (region){"x", 1, d[0]}, out[1] = (region){"y", 2, d[0]}, out[2] = (region){"s", 3, d[0]};
      return 3;
    case OP_QUICK_GELU_GRAD:
      out[0] = (region){"x", 1, d[0]}, out[1] = (region){"s", 2, d[0]}, out[2] = (region){"dy", 3, d[0]};
      out[3] = (region){"dx", 4, d[0]};
      return 4;
    case OP_SOFTMAX:
      out[0] = (region){"data", 2, all};
      if (d[3] < 0) return 1;
      out[1] = (region){"mask", 3, (int64_t)d[4] * width};
      return 2;
    case OP_SOFTMAX_GRAD:
      out[0] = (region){"p", 2, all}, out[1] = (region){"dp", 3, all};
      return 2;
    default:
      for (int i = 0; i < 7; i++) out[i] = (region){"adam operand", 1 + i, d[0]};
      return 7;
  }
}

static napi_value rows_call(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  char message[256];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 4)
    return throw_range_error(env, "rows: expected (heap: Float32Array, op: number, desc: Int32Array, params: Float64Array)");
  float *heap = NULL;
  int32_t *desc = NULL;
  double *params = NULL;
  size_t heap_length = 0, desc_length = 0, param_length = 0;
  double op_value = -1;
  if (read_typed_array(env, argv[0], napi_float32_array, (void **)&heap, &heap_length) != 0)
    return throw_range_error(env, "rows: heap must be a Float32Array");
  if (napi_get_value_double(env, argv[1], &op_value) != napi_ok || op_value < 0 || op_value >= OP_COUNT ||
      op_value != (double)(int)op_value)
    return throw_range_error(env, "rows: op must be a whole number from 0 to 6");
  int op = (int)op_value;
  if (read_typed_array(env, argv[2], napi_int32_array, (void **)&desc, &desc_length) != 0 ||
      desc_length < (size_t)OPS[op].desc_length) {
    snprintf(message, sizeof message, "rows: %s needs an Int32Array desc of %d entries", OPS[op].name, OPS[op].desc_length);
    return throw_range_error(env, message);
  }
  if (read_typed_array(env, argv[3], napi_float64_array, (void **)&params, &param_length) != 0 ||
      param_length < (size_t)OPS[op].param_count) {
    snprintf(message, sizeof message, "rows: %s needs a Float64Array of %d params", OPS[op].name, OPS[op].param_count);
    return throw_range_error(env, message);
  }
  int size_count = op == OP_LAYER_NORM || op == OP_LAYER_NORM_GRAD || op == OP_SOFTMAX || op == OP_SOFTMAX_GRAD ? 2 : 1;
  for (int i = 0; i < size_count; i++) {
    if (desc[i] < 0) {
      snprintf(message, sizeof message, "rows: %s has size %d; sizes must be 0 or more", OPS[op].name, desc[i]);
      return throw_range_error(env, message);
    }
  }
  if (op == OP_SOFTMAX && desc[3] >= 0 && desc[4] < 1)
    return throw_range_error(env, "rows: softmax with a mask needs at least 1 mask row");
  region regions[8];
  int count = regions_of(op, desc, regions);
  for (int i = 0; i < count; i++) {
    int64_t start = desc[regions[i].offset_index], length = regions[i].length;
    if (length > 0 && (start < 0 || start + length > (int64_t)heap_length)) {
      snprintf(message, sizeof message, "rows: %s's %s spans heap indices %lld to %lld, outside the heap's %lld floats",
               OPS[op].name, regions[i].name, (long long)start, (long long)(start + length - 1), (long long)heap_length);
      return throw_range_error(env, message);
    }
  }
  int status = 0;
  switch (op) {
    case OP_LAYER_NORM: layer_norm(heap, desc, params); break;
    case OP_LAYER_NORM_GRAD: status = layer_norm_grad(heap, desc, params); break;
    case OP_QUICK_GELU: quick_gelu(heap, desc, params); break;
    case OP_QUICK_GELU_GRAD: quick_gelu_grad(heap, desc, params); break;
    case OP_SOFTMAX: softmax(heap, desc, params); break;
    case OP_SOFTMAX_GRAD: softmax_grad(heap, desc, params); break;
    default: adam(heap, desc, params); break;
  }
  if (status != 0) {
    napi_throw_error(env, NULL, "rows: out of memory for the column sums");
    return NULL;
  }
  return undefined_value(env);
}

int rows_register(napi_env env, napi_value exports) {
  napi_value function = NULL;
  if (napi_create_function(env, "rows", NAPI_AUTO_LENGTH, rows_call, NULL, &function) != napi_ok) return -1;
  return napi_set_named_property(env, exports, "rows", function) == napi_ok ? 0 : -1;
}
