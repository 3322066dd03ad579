/*
 * Portable C kernel and packing routines of the SGEMM driver, used where the CPU lacks
 * AVX2 and FMA (and on every non-x86 CPU). The kernel computes each sum with a separate
 * multiply and add, so its results differ in the last bits from the AVX2 + FMA kernel.
 */
#include "sgemm.h"

static void kernel_generic(int64_t kc, const float *a, const float *b, float *acc, int load,
                           const sgemm_tile_out *out) {
  float sum[SGEMM_MR][SGEMM_NR];
  for (int r = 0; r < SGEMM_MR; r++)
    for (int j = 0; j < SGEMM_NR; j++) sum[r][j] = load ? acc[r * SGEMM_NR + j] : 0.0f;

  for (int64_t kk = 0; kk < kc; kk++) {
    const float *a_kk = a + kk * SGEMM_MR;
    const float *b_kk = b + kk * SGEMM_NR;
    for (int r = 0; r < SGEMM_MR; r++)
      for (int j = 0; j < SGEMM_NR; j++) sum[r][j] += a_kk[r] * b_kk[j];
  }

  if (out == NULL) {
    for (int r = 0; r < SGEMM_MR; r++)
      for (int j = 0; j < SGEMM_NR; j++) acc[r * SGEMM_NR + j] = sum[r][j];
    return;
  }
  for (int r = 0; r < out->rows; r++) {
    for (int j = 0; j < out->cols; j++) {
      float v = out->alpha * sum[r][j];
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
