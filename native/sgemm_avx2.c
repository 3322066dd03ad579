/*
 * AVX2 + FMA kernel and packing routines of the SGEMM driver. The functions carry
 * target("avx2,fma") attributes so that one build runs on any x86-64 CPU: the driver calls
 * them only after __builtin_cpu_supports reports both features.
 *
 * The 6 x 16 kernel keeps its sums in 12 ymm registers. Each step over kk loads 16 values
 * of packed B into two registers, broadcasts each of the 6 values of packed A, and issues 12
 * FMAs for those 8 loads, so the FMA units, not the loads, bound its speed.
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

/* Transposes the 8 x 8 block in r, so that r[j] then contains what was column j. */
AVX2 static inline void transpose8(__m256 r[8]) {
  __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)), s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)), s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20), r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20), r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31), r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31), r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

/* Mask of the first `count` of 8 lanes (all lanes for count >= 8, none for count <= 0). */
AVX2 static inline __m256i first_lanes(int count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/*
 * Packs A. Row-major A (col == 1) is read 8 kk at a time from each of the 6 rows and
 * transposed in registers; each transposed row stores 8 floats, of which the next store
 * overwrites the last 2, so the buffer needs 8 floats of slack past the last panel.
 * Column-major A (row == 1) copies 6 contiguous floats per kk.
 */
AVX2 static void pack_a_avx2(const float *src, ptrdiff_t row, ptrdiff_t col, int rows, int64_t kc, float *dst) {
  int64_t kk = 0;
  if (rows == SGEMM_MR && col == 1) {
    for (; kk + 8 <= kc; kk += 8) {
      __m256 r[8];
      for (int i = 0; i < SGEMM_MR; i++) r[i] = _mm256_loadu_ps(src + i * row + kk);
      r[6] = r[7] = _mm256_setzero_ps();
      transpose8(r);
      for (int t = 0; t < 8; t++) _mm256_storeu_ps(dst + (kk + t) * SGEMM_MR, r[t]);
    }
  } else if (rows == SGEMM_MR && row == 1) {
    for (; kk < kc; kk++) {
      const float *from = src + kk * col;
      _mm_storeu_ps(dst + kk * SGEMM_MR, _mm_loadu_ps(from));
      _mm_storel_pi((__m64 *)(dst + kk * SGEMM_MR + 4), _mm_loadl_pi(_mm_setzero_ps(), (const __m64 *)(from + 4)));
    }
  }
  for (; kk < kc; kk++) {
    for (int r = 0; r < SGEMM_MR; r++) dst[kk * SGEMM_MR + r] = r < rows ? src[r * row + kk * col] : 0.0f;
  }
}

/*
 * Packs B. Row-major B (col == 1) copies 16 contiguous floats per kk, masked at the right
 * edge. Column-major B (row == 1) is read 8 kk at a time from each column and transposed.
 */
AVX2 static void pack_b_avx2(const float *src, ptrdiff_t row, ptrdiff_t col, int64_t k, int cols, float *dst) {
  int64_t kk = 0;
  if (col == 1) {
    __m256i mask_lo = first_lanes(cols), mask_hi = first_lanes(cols - 8);
    for (; kk < k; kk++) {
      _mm256_store_ps(dst + kk * SGEMM_NR, _mm256_maskload_ps(src + kk * row, mask_lo));
      _mm256_store_ps(dst + kk * SGEMM_NR + 8, _mm256_maskload_ps(src + kk * row + 8, mask_hi));
    }
    return;
  }
  if (row == 1) {
    for (; kk + 8 <= k; kk += 8) {
      for (int half = 0; half < SGEMM_NR; half += 8) {
        __m256 r[8];
        for (int j = 0; j < 8; j++) r[j] = half + j < cols ? _mm256_loadu_ps(src + kk + (half + j) * col) : _mm256_setzero_ps();
        transpose8(r);
        for (int t = 0; t < 8; t++) _mm256_store_ps(dst + (kk + t) * SGEMM_NR + half, r[t]);
      }
    }
  }
  for (; kk < k; kk++) {
    for (int j = 0; j < SGEMM_NR; j++) dst[kk * SGEMM_NR + j] = j < cols ? src[kk * row + j * col] : 0.0f;
  }
}

const sgemm_isa sgemm_isa_avx2 = {"avx2-fma", kernel_avx2, pack_a_avx2, pack_b_avx2};
#endif
