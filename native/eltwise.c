/*
 * Element-wise add, subtract, multiply and divide with broadcasting, for the wasm backend's
 * Add, Sub, Multiply and RealDiv kernels. The wasm kernels compute a broadcast operand's
 * index element by element, about 50 ns per element here for [32, 32, 1] · [32, 32, 64].
 * Here the innermost axis runs as a plain loop over contiguous or repeated values, which the
 * compiler vectorizes. Each output is one IEEE operation on the same two floats, so the
 * results equal the wasm kernels' bit for bit. One export:
 *   binary(heap: Float32Array, desc: Int32Array)
 * desc = [rank, kind, out, a, b, shape[6], aStrides[6], bStrides[6]], offsets and strides
 * in floats; kind 0 add, 1 subtract, 2 multiply, 3 divide; a stride of 0 repeats a value
 * along that axis. The output is contiguous and must not overlap a or b.
 */
#include <stdint.h>
#include <stdio.h>

#include "eltwise.h"
#include "napi_util.h"
#include "node_api_min.h"

#define MAX_RANK 6
#define DESC_LENGTH (5 + 3 * MAX_RANK)

enum { KIND_ADD, KIND_SUB, KIND_MUL, KIND_DIV };

/* y[j] = a[j·sa] ∘ b[j·sb] for j < n, with the stride pairs that occur specialised. */
static void row(int kind, float *y, const float *a, int64_t sa, const float *b, int64_t sb, int64_t n) {
#define ROW_CASES(OP)                                                   \
  if (sa == 1 && sb == 1)                                               \
    for (int64_t j = 0; j < n; j++) y[j] = a[j] OP b[j];                \
  else if (sa == 1 && sb == 0)                                          \
    for (int64_t j = 0; j < n; j++) y[j] = a[j] OP b[0];                \
  else if (sa == 0 && sb == 1)                                          \
    for (int64_t j = 0; j < n; j++) y[j] = a[0] OP b[j];                \
  else                                                                  \
    for (int64_t j = 0; j < n; j++) y[j] = a[j * sa] OP b[j * sb];
  switch (kind) {
    case KIND_ADD: ROW_CASES(+) break;
    case KIND_SUB: ROW_CASES(-) break;
    case KIND_MUL: ROW_CASES(*) break;
    default: ROW_CASES(/) break;
  }
#undef ROW_CASES
}

static void binary_run(float *heap, const int32_t *d) {
  int rank = d[0], kind = d[1];
  const int32_t *shape = d + 5, *sa = d + 5 + MAX_RANK, *sb = d + 5 + 2 * MAX_RANK;
  int64_t inner = rank > 0 ? shape[rank - 1] : 1;
  int64_t inner_a = rank > 0 ? sa[rank - 1] : 0, inner_b = rank > 0 ? sb[rank - 1] : 0;
  int64_t outer = 1;
  for (int i = 0; i + 1 < rank; i++) outer *= shape[i];
  int64_t index[MAX_RANK] = {0};
  int64_t offset_a = d[3], offset_b = d[4];
  float *out = heap + d[2];
  for (int64_t o = 0; o < outer; o++) {
    row(kind, out + o * inner, heap + offset_a, inner_a, heap + offset_b, inner_b, inner);
    /* Advances the index over the outer axes like an odometer, moving both offsets along. */
    for (int axis = rank - 2; axis >= 0; axis--) {
      index[axis] += 1;
      offset_a += sa[axis];
      offset_b += sb[axis];
      if (index[axis] < shape[axis]) break;
      offset_a -= sa[axis] * shape[axis];
      offset_b -= sb[axis] * shape[axis];
      index[axis] = 0;
    }
  }
}

/* Sets [first, last] to the heap indices an operand with these strides reads; -1 if a stride is negative. */
static int extent(int64_t offset, const int32_t *shape, const int32_t *strides, int rank, int64_t span[2]) {
  span[0] = offset;
  span[1] = offset;
  for (int i = 0; i < rank; i++) {
    if (strides[i] < 0) return -1;
    span[1] += (int64_t)(shape[i] - 1) * strides[i];
  }
  return 0;
}

static napi_value binary_call(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  char message[256];
  float *heap = NULL;
  int32_t *d = NULL;
  size_t heap_length = 0, desc_length = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      read_typed_array(env, argv[0], napi_float32_array, (void **)&heap, &heap_length) != 0 ||
      read_typed_array(env, argv[1], napi_int32_array, (void **)&d, &desc_length) != 0 || desc_length < DESC_LENGTH)
    return throw_range_error(env, "binary: expected (heap: Float32Array, desc: Int32Array of 23 entries)");
  int rank = d[0];
  if (rank < 0 || rank > MAX_RANK) return throw_range_error(env, "binary: rank must be 0 to 6");
  if (d[1] < KIND_ADD || d[1] > KIND_DIV) return throw_range_error(env, "binary: kind must be 0 (add), 1 (sub), 2 (mul) or 3 (div)");
  int64_t size = 1;
  for (int i = 0; i < rank; i++) {
    if (d[5 + i] < 0) return throw_range_error(env, "binary: sizes must be 0 or more");
    size *= d[5 + i];
  }
  if (size == 0) {
    return undefined_value(env);
  }
  int64_t out[2] = {d[2], d[2] + size - 1}, a[2], b[2];
  if (extent(d[3], d + 5, d + 5 + MAX_RANK, rank, a) != 0 || extent(d[4], d + 5, d + 5 + 2 * MAX_RANK, rank, b) != 0)
    return throw_range_error(env, "binary: strides must be 0 or more");
  const int64_t *spans[3] = {out, a, b};
  static const char *names[3] = {"output", "a", "b"};
  for (int i = 0; i < 3; i++) {
    if (spans[i][0] < 0 || spans[i][1] >= (int64_t)heap_length) {
      snprintf(message, sizeof message, "binary: %s spans heap indices %lld to %lld, outside the heap's %lld floats",
               names[i], (long long)spans[i][0], (long long)spans[i][1], (long long)heap_length);
      return throw_range_error(env, message);
    }
  }
  if ((out[0] <= a[1] && a[0] <= out[1]) || (out[0] <= b[1] && b[0] <= out[1]))
    return throw_range_error(env, "binary: the output overlaps an input; write it to a separate buffer");
  binary_run(heap, d);
  return undefined_value(env);
}

int eltwise_register(napi_env env, napi_value exports) {
  napi_value function = NULL;
  if (napi_create_function(env, "binary", NAPI_AUTO_LENGTH, binary_call, NULL, &function) != napi_ok) return -1;
  return napi_set_named_property(env, exports, "binary", function) == napi_ok ? 0 : -1;
}
