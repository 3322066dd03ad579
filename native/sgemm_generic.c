/*
 * Portable C kernel and packing routines of the SGEMM driver, used where the CPU lacks
 * AVX2 and FMA (and on every non-x86 CPU). The kernel computes each sum with a separate
 * multiply and add (-std=c11 turns off contraction into FMA), so its results differ in the
 * last bits from the AVX2 + FMA kernel.
 */
#include <string.h>

#include "sgemm.h"

/* Four floats in one SIMD register (SSE on x86-64, NEON on AArch64), through GCC and Clang vector extensions. */
typedef float vec4 __attribute__((vector_size(16)));

static vec4 load4(const float *p) {
  vec4 v;
  memcpy(&v, p, sizeof v);
  return v;
}

static void kernel_generic(int64_t kc, const float *a, const float *b, float *acc, int load,
                           const sgemm_tile_out *out) {
  enum { QUADS = SGEMM_NR / 4 };
  vec4 sum[SGEMM_MR][QUADS];
  for (int r = 0; r < SGEMM_MR; r++)
    for (int q = 0; q < QUADS; q++) sum[r][q] = load ? load4(acc + r * SGEMM_NR + 4 * q) : (vec4){0, 0, 0, 0};

  for (int64_t kk = 0; kk < kc; kk++) {
    vec4 b_kk[QUADS];
    for (int q = 0; q < QUADS; q++) b_kk[q] = load4(b + kk * SGEMM_NR + 4 * q);
    for (int r = 0; r < SGEMM_MR; r++) {
      float x = a[kk * SGEMM_MR + r];
      vec4 xs = {x, x, x, x};
      for (int q = 0; q < QUADS; q++) sum[r][q] += xs * b_kk[q];
    }
  }

  float values[SGEMM_MR][SGEMM_NR];
  memcpy(values, sum, sizeof values);
  if (out == NULL) {
    memcpy(acc, values, sizeof values);
    return;
  }
  for (int r = 0; r < out->rows; r++) {
    for (int j = 0; j < out->cols; j++) {
      float v = out->alpha * values[r][j];
      if (out->bias != NULL) v += out->bias[j];
      if (out->relu && v < 0.0f) v = 0.0f;
      float *c = out->c + r * out->row + j * out->col;
      *c = out->accumulate ? *c + v : v;
    }
  }
}

static void pack_a_generic(const float *src, ptrdiff_t row, ptrdiff_t col, int rows, int64_t kc, float *dst) {
  for (int64_t kk = 0; kk < kc; kk++) {
    for (int r = 0; r < SGEMM_MR; r++) dst[kk * SGEMM_MR + r] = r < rows ? src[r * row + kk * col] : 0.0f;
  }
}

static void pack_b_generic(const float *src, ptrdiff_t row, ptrdiff_t col, int64_t k, int cols, float *dst) {
  for (int64_t kk = 0; kk < k; kk++) {
    for (int j = 0; j < SGEMM_NR; j++) dst[kk * SGEMM_NR + j] = j < cols ? src[kk * row + j * col] : 0.0f;
  }
}

const sgemm_isa sgemm_isa_generic = {"generic", kernel_generic, pack_a_generic, pack_b_generic};
