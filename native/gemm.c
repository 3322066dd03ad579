/*
 * Node-API entry of the tierc native addon. Exports:
 *   isa: "avx2-fma" or "generic", the kernel set chosen when the addon loads.
 *   threads(), setThreads(n): the thread pool's size, the calling thread included.
 *   gemm(heap, desc, alpha): a strided batched SGEMM on a Float32Array, in place.
 *   rows(heap, op, desc, params): the row and element kernels of rows.c.
 *   binary(heap, desc): broadcasting add, subtract, multiply and divide (eltwise.c).
 * desc is an Int32Array of DESC_LENGTH entries, all in float elements:
 *   [batch, m, n, k, aOff, aBatch, aRow, aCol, bOff, bBatch, bRow, bCol,
 *    cOff, cBatch, cRow, cCol, biasOff, biasStride, activation, accumulate].
 * gemm checks every index it will touch against the heap's length before it starts, and
 * throws a RangeError or TypeError instead. TIERC_NATIVE_ISA=generic selects the portable
 * kernels on any CPU.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eltwise.h"
#include "napi_util.h"
#include "node_api_min.h"
#include "pool.h"
#include "rows.h"
#include "sgemm.h"

#define DESC_LENGTH 20
#define EXPORT __attribute__((visibility("default")))

/* One lock serializes products and thread-count changes, which share the pool and the buffers. */
static pthread_mutex_t api_lock = PTHREAD_MUTEX_INITIALIZER;
static const sgemm_isa *isa;

typedef struct {
  int64_t count;
  int64_t stride;
} dimension;

/*
 * Sets [lo, hi] to the smallest and largest index offset + sum(index_d * stride_d) over
 * all index tuples with 0 <= index_d < count_d. Returns -1 on int64 overflow.
 */
static int index_range(int64_t offset, const dimension *dims, int count, int64_t *lo, int64_t *hi) {
  *lo = offset;
  *hi = offset;
  for (int d = 0; d < count; d++) {
    int64_t span = 0;
    if (__builtin_mul_overflow(dims[d].count - 1, dims[d].stride, &span)) return -1;
    int64_t *end = span < 0 ? lo : hi;
    if (__builtin_add_overflow(*end, span, end)) return -1;
  }
  return 0;
}

/* Checks that an operand's indices lie in [0, heap_length); writes the error to `message` otherwise. */
static int check_operand(const char *name, int64_t offset, const dimension *dims, int count, int64_t heap_length,
                         int64_t range[2], char *message, size_t size) {
  if (index_range(offset, dims, count, &range[0], &range[1]) != 0) {
    snprintf(message, size, "gemm: operand %s has an index that overflows 64 bits; check its offset and strides", name);
    return -1;
  }
  if (range[0] < 0 || range[1] >= heap_length) {
    snprintf(message, size,
             "gemm: operand %s touches heap indices %lld to %lld, outside the heap's %lld floats; check its offset and "
             "strides",
             name, (long long)range[0], (long long)range[1], (long long)heap_length);
    return -1;
  }
  return 0;
}

/*
 * Checks that no two output elements share a heap element: sorted by stride, each stride
 * must pass the whole extent of the smaller ones. This rejects some layouts that do not
 * overlap (interleaved ones) but accepts every dense or padded layout.
 */
static int outputs_distinct(const dimension *dims) {
  int64_t strides[3];
  int used = 0;
  int64_t counts[3];
  for (int d = 0; d < 3; d++) {
    if (dims[d].count <= 1) continue;
    strides[used] = dims[d].stride < 0 ? -dims[d].stride : dims[d].stride;
    counts[used] = dims[d].count;
    for (int i = used; i > 0 && strides[i] < strides[i - 1]; i--) {
      int64_t s = strides[i], c = counts[i];
      strides[i] = strides[i - 1], counts[i] = counts[i - 1];
      strides[i - 1] = s, counts[i - 1] = c;
    }
    used += 1;
  }
  int64_t extent = 0;
  for (int i = 0; i < used; i++) {
    if (strides[i] <= extent) return 0;
    extent += strides[i] * (counts[i] - 1);
  }
  return 1;
}

static int ranges_overlap(const int64_t x[2], const int64_t y[2]) { return x[0] <= y[1] && y[0] <= x[1]; }

static napi_value gemm_call(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return throw_type_error(env, "gemm: cannot read the arguments");
  if (argc < 3) return throw_type_error(env, "gemm: expected 3 arguments (heap: Float32Array, desc: Int32Array, alpha: number)");

  float *heap = NULL;
  size_t heap_length = 0;
  if (read_typed_array(env, argv[0], napi_float32_array, (void **)&heap, &heap_length) != 0)
    return throw_type_error(env, "gemm: heap must be a Float32Array");
  int32_t *desc = NULL;
  size_t desc_length = 0;
  if (read_typed_array(env, argv[1], napi_int32_array, (void **)&desc, &desc_length) != 0)
    return throw_type_error(env, "gemm: desc must be an Int32Array");
  if (desc_length < DESC_LENGTH) return throw_type_error(env, "gemm: desc must have 20 entries");
  napi_valuetype alpha_type;
  double alpha = 0;
  if (napi_typeof(env, argv[2], &alpha_type) != napi_ok || alpha_type != napi_number ||
      napi_get_value_double(env, argv[2], &alpha) != napi_ok)
    return throw_type_error(env, "gemm: alpha must be a number");

  static const char *size_names[4] = {"batch", "m", "n", "k"};
  char message[320];
  for (int d = 0; d < 4; d++) {
    if (desc[d] < 0) {
      snprintf(message, sizeof message, "gemm: %s is %d; sizes must be 0 or more", size_names[d], desc[d]);
      return throw_range_error(env, message);
    }
  }
  int64_t batch = desc[0], m = desc[1], n = desc[2], k = desc[3];
  int32_t activation = desc[18], accumulate = desc[19];
  if (activation != 0 && activation != 1) {
    snprintf(message, sizeof message, "gemm: activation is %d; expected 0 (none) or 1 (relu)", activation);
    return throw_range_error(env, message);
  }
  if (accumulate != 0 && accumulate != 1) {
    snprintf(message, sizeof message, "gemm: accumulate is %d; expected 0 or 1", accumulate);
    return throw_range_error(env, message);
  }
  /* Nothing is read or written when C is empty. */
  if (batch == 0 || m == 0 || n == 0) return undefined_value(env);
  if (heap == NULL) return throw_type_error(env, "gemm: the heap's buffer is detached or empty");

  int64_t length = (int64_t)heap_length;
  dimension a_dims[3] = {{batch, desc[5]}, {m, desc[6]}, {k, desc[7]}};
  dimension b_dims[3] = {{batch, desc[9]}, {k, desc[10]}, {n, desc[11]}};
  dimension c_dims[3] = {{batch, desc[13]}, {m, desc[14]}, {n, desc[15]}};
  dimension bias_dims[1] = {{n, desc[17]}};
  int64_t a_range[2] = {0, -1}, b_range[2] = {0, -1}, c_range[2], bias_range[2] = {0, -1};
  int has_bias = desc[16] >= 0;
  if (k > 0 && check_operand("A", desc[4], a_dims, 3, length, a_range, message, sizeof message) != 0)
    return throw_range_error(env, message);
  if (k > 0 && check_operand("B", desc[8], b_dims, 3, length, b_range, message, sizeof message) != 0)
    return throw_range_error(env, message);
  if (check_operand("C", desc[12], c_dims, 3, length, c_range, message, sizeof message) != 0)
    return throw_range_error(env, message);
  if (has_bias && check_operand("bias", desc[16], bias_dims, 1, length, bias_range, message, sizeof message) != 0)
    return throw_range_error(env, message);
  if (!outputs_distinct(c_dims)) {
    snprintf(message, sizeof message,
             "gemm: C's strides (batch %d, row %d, column %d) map two outputs to one heap element; give each output "
             "its own element",
             desc[13], desc[14], desc[15]);
    return throw_range_error(env, message);
  }
  /*
   * Packing reads A and B while other tasks write C, so C must not alias them.
   * NOTE: this compares index ranges, so it also rejects C interleaved with A or B (such as
   * alternate columns of one buffer) although no element is shared.
   */
  const char *overlapped = (k > 0 && ranges_overlap(c_range, a_range)) ? "A"
                           : (k > 0 && ranges_overlap(c_range, b_range)) ? "B"
                           : (has_bias && ranges_overlap(c_range, bias_range)) ? "bias"
                                                                              : NULL;
  if (overlapped != NULL) {
    snprintf(message, sizeof message,
             "gemm: C's heap indices %lld to %lld overlap operand %s's; write the product to a separate buffer",
             (long long)c_range[0], (long long)c_range[1], overlapped);
    return throw_range_error(env, message);
  }

  sgemm_args args = {
      .batch = batch, .m = m, .n = n, .k = k,
      .a = heap + desc[4], .a_batch = desc[5], .a_row = desc[6], .a_col = desc[7],
      .b = heap + desc[8], .b_batch = desc[9], .b_row = desc[10], .b_col = desc[11],
      .c = heap + desc[12], .c_batch = desc[13], .c_row = desc[14], .c_col = desc[15],
      .bias = has_bias ? heap + desc[16] : NULL, .bias_stride = desc[17],
      .alpha = (float)alpha, .relu = activation == 1, .accumulate = accumulate == 1,
  };
  pthread_mutex_lock(&api_lock);
  int status = sgemm_run(isa, &args);
  pthread_mutex_unlock(&api_lock);
  if (status != 0) {
    napi_throw_error(env, NULL, "gemm: cannot allocate the packing buffers (out of memory); C is unchanged");
    return NULL;
  }
  return undefined_value(env);
}

static napi_value threads_call(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result = NULL;
  napi_create_int32(env, pool_threads(), &result);
  return result;
}

static napi_value set_threads_call(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype type;
  double threads = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_typeof(env, argv[0], &type) != napi_ok || type != napi_number ||
      napi_get_value_double(env, argv[0], &threads) != napi_ok)
    return throw_type_error(env, "setThreads: expected a number of threads");
  char message[160];
  if (!(threads >= 1 && threads <= POOL_MAX_THREADS) || threads != (double)(int)threads) {
    snprintf(message, sizeof message, "setThreads: %g is not a whole number from 1 to %d", threads, POOL_MAX_THREADS);
    return throw_range_error(env, message);
  }
  pthread_mutex_lock(&api_lock);
  int status = pool_set_threads((int)threads);
  pthread_mutex_unlock(&api_lock);
  if (status != 0) {
    snprintf(message, sizeof message, "setThreads: cannot start %d threads; %d run", (int)threads, pool_threads());
    napi_throw_error(env, NULL, message);
    return NULL;
  }
  return undefined_value(env);
}

static int export_function(napi_env env, napi_value exports, const char *name, napi_callback callback) {
  napi_value function = NULL;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, NULL, &function) != napi_ok) return -1;
  return napi_set_named_property(env, exports, name, function) == napi_ok ? 0 : -1;
}

EXPORT int32_t node_api_module_get_api_version_v1(void) { return 8; }

EXPORT napi_value napi_register_module_v1(napi_env env, napi_value exports) {
  const char *forced = getenv("TIERC_NATIVE_ISA");
  if (isa == NULL) isa = sgemm_select_isa(forced != NULL && strcmp(forced, "generic") == 0);
  napi_value name = NULL;
  if (napi_create_string_utf8(env, isa->name, NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_set_named_property(env, exports, "isa", name) != napi_ok ||
      export_function(env, exports, "gemm", gemm_call) != 0 ||
      export_function(env, exports, "threads", threads_call) != 0 ||
      export_function(env, exports, "setThreads", set_threads_call) != 0 || rows_register(env, exports) != 0 ||
      eltwise_register(env, exports) != 0)
    return NULL;
  return exports;
}
