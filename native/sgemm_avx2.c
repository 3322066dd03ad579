/*
 * AVX2 + FMA kernel and packing routines of the SGEMM driver. The functions carry
 * target("avx2,fma") attributes so that one build runs on any x86-64 CPU: the driver calls
 * them only after __builtin_cpu_supports reports both features.
 *
 * The 6 x 16 kernel keeps its sums in 12 ymm registers. Each step over kk loads 16 values
 * of packed B into two registers, broadcasts each of the 6 values of packed A, and issues 12
 * FMAs, which keeps both FMA units of a Zen 3 or Skylake core busy.
 */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include "sgemm.h"

#define AVX2 __attribute__((target("avx2,fma")))

/* Applies alpha, bias and relu to one 16-wide row of sums. */
AVX2 static inline void finish_row(__m256 *lo, __m256 *hi, const sgemm_tile_out *out) {
  __m256 alpha = _mm256_set1_ps(out->alpha);
  *lo = _mm256_mul_ps(*lo, alpha);
  *hi = _mm256_mul_ps(*hi, alpha);
  if (out->bias != NULL) {
    *lo = _mm256_add_ps(*lo, _mm256_loadu_ps(out->bias));
    *hi = _mm256_add_ps(*hi, _mm256_loadu_ps(out->bias + 8));
  }
  if (out->relu) {
    /* max_ps returns its second operand when either is NaN or both are zero, so NaN and -0 pass through. */
    *lo = _mm256_max_ps(_mm256_setzero_ps(), *lo);
    *hi = _mm256_max_ps(_mm256_setzero_ps(), *hi);
  }
}

/* Writes one finished row of the tile to C, where C's columns are contiguous. */
AVX2 static inline void store_row_contiguous(float *c, __m256 lo, __m256 hi, int cols, int accumulate) {
  if (cols == SGEMM_NR) {
    if (accumulate) {
      lo = _mm256_add_ps(_mm256_loadu_ps(c), lo);
      hi = _mm256_add_ps(_mm256_loadu_ps(c + 8), hi);
    }
    _mm256_storeu_ps(c, lo);
    _mm256_storeu_ps(c + 8, hi);
    return;
  }
  __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i mask_lo = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols), lanes);
  __m256i mask_hi = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8), lanes);
  if (accumulate) {
    lo = _mm256_add_ps(_mm256_maskload_ps(c, mask_lo), lo);
    hi = _mm256_add_ps(_mm256_maskload_ps(c + 8, mask_hi), hi);
  }
  _mm256_maskstore_ps(c, mask_lo, lo);
  _mm256_maskstore_ps(c + 8, mask_hi, hi);
}

AVX2 static void write_tile(__m256 sums[SGEMM_MR][2], const sgemm_tile_out *out) {
  for (int r = 0; r < out->rows; r++) {
    __m256 lo = sums[r][0], hi = sums[r][1];
    finish_row(&lo, &hi, out);
    float *c = out->c + r * out->row;
    if (out->col == 1) {
      store_row_contiguous(c, lo, hi, out->cols, out->accumulate);
      continue;
    }
    float values[SGEMM_NR];
    _mm256_storeu_ps(values, lo);
    _mm256_storeu_ps(values + 8, hi);
    for (int j = 0; j < out->cols; j++) {
      float *target = c + j * out->col;
      *target = out->accumulate ? *target + values[j] : values[j];
    }
  }
}

AVX2 static void kernel_avx2(int64_t kc, const float *a, const float *b, float *acc, int load,
                             const sgemm_tile_out *out) {
  __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
  if (load) {
    c00 = _mm256_loadu_ps(acc + 0), c01 = _mm256_loadu_ps(acc + 8);
    c10 = _mm256_loadu_ps(acc + 16), c11 = _mm256_loadu_ps(acc + 24);
    c20 = _mm256_loadu_ps(acc + 32), c21 = _mm256_loadu_ps(acc + 40);
    c30 = _mm256_loadu_ps(acc + 48), c31 = _mm256_loadu_ps(acc + 56);
    c40 = _mm256_loadu_ps(acc + 64), c41 = _mm256_loadu_ps(acc + 72);
    c50 = _mm256_loadu_ps(acc + 80), c51 = _mm256_loadu_ps(acc + 88);
  } else {
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_ps();
  }

  for (int64_t kk = 0; kk < kc; kk++) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    __m256 x;
    x = _mm256_broadcast_ss(a + 0), c00 = _mm256_fmadd_ps(x, b0, c00), c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(a + 1), c10 = _mm256_fmadd_ps(x, b0, c10), c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(a + 2), c20 = _mm256_fmadd_ps(x, b0, c20), c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(a + 3), c30 = _mm256_fmadd_ps(x, b0, c30), c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(a + 4), c40 = _mm256_fmadd_ps(x, b0, c40), c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(a + 5), c50 = _mm256_fmadd_ps(x, b0, c50), c51 = _mm256_fmadd_ps(x, b1, c51);
    a += SGEMM_MR;
    b += SGEMM_NR;
  }

  if (out == NULL) {
    _mm256_storeu_ps(acc + 0, c00), _mm256_storeu_ps(acc + 8, c01);
    _mm256_storeu_ps(acc + 16, c10), _mm256_storeu_ps(acc + 24, c11);
    _mm256_storeu_ps(acc + 32, c20), _mm256_storeu_ps(acc + 40, c21);
    _mm256_storeu_ps(acc + 48, c30), _mm256_storeu_ps(acc + 56, c31);
    _mm256_storeu_ps(acc + 64, c40), _mm256_storeu_ps(acc + 72, c41);
    _mm256_storeu_ps(acc + 80, c50), _mm256_storeu_ps(acc + 88, c51);
    return;
  }
  __m256 sums[SGEMM_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  write_tile(sums, out);
}

AVX2 static void pack_a_avx2(const float *src, ptrdiff_t row, ptrdiff_t col, int rows, int64_t kc, float *dst) {
  for (int64_t kk = 0; kk < kc; kk++) {
    for (int r = 0; r < SGEMM_MR; r++) dst[kk * SGEMM_MR + r] = r < rows ? src[r * row + kk * col] : 0.0f;
  }
}

AVX2 static void pack_b_avx2(const float *src, ptrdiff_t row, ptrdiff_t col, int64_t k, int cols, float *dst) {
  if (col == 1 && cols == SGEMM_NR) {
    for (int64_t kk = 0; kk < k; kk++) {
      _mm256_store_ps(dst + kk * SGEMM_NR, _mm256_loadu_ps(src + kk * row));
      _mm256_store_ps(dst + kk * SGEMM_NR + 8, _mm256_loadu_ps(src + kk * row + 8));
    }
    return;
  }
  for (int64_t kk = 0; kk < k; kk++) {
    for (int j = 0; j < SGEMM_NR; j++) dst[kk * SGEMM_NR + j] = j < cols ? src[kk * row + j * col] : 0.0f;
  }
}

const sgemm_isa sgemm_isa_avx2 = {"avx2-fma", kernel_avx2, pack_a_avx2, pack_b_avx2};
#endif
