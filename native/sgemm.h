/*
 * Strided batched single-precision matrix product (SGEMM) of the tierc native addon:
 * C[b,i,j] (=|+=) act(alpha * sum_kk A[b,i,kk] * B[b,kk,j] + bias[j]), with every operand
 * addressed by an element pointer and three element strides. The driver packs A and B into
 * contiguous panels and runs an MR x NR register-tile kernel over them. Every output
 * element is one sequential fused or unfused multiply-add chain over kk = 0 .. k-1, so the
 * result does not depend on the blocking or on the number of threads.
 */
#ifndef TIERC_SGEMM_H
#define TIERC_SGEMM_H

#include <stddef.h>
#include <stdint.h>

/* Register tile of the kernels: MR rows of A by NR columns of B. */
#define SGEMM_MR 6
#define SGEMM_NR 16

typedef struct {
  int64_t batch, m, n, k;
  const float *a;
  ptrdiff_t a_batch, a_row, a_col;
  const float *b;
  ptrdiff_t b_batch, b_row, b_col;
  float *c;
  ptrdiff_t c_batch, c_row, c_col;
  const float *bias; /* NULL when there is no bias; else bias[j * bias_stride] */
  ptrdiff_t bias_stride;
  float alpha;
  int relu;       /* 1: v = max(v, 0) before the store; NaN stays NaN */
  int accumulate; /* 1: C += v; 0: C = v */
} sgemm_args;

/* Where a kernel writes a finished MR x NR tile, and how. */
typedef struct {
  float *c; /* element (0, 0) of the tile */
  ptrdiff_t row, col;
  int rows, cols; /* valid part of the tile, 1..MR by 1..NR */
  float alpha;
  const float *bias; /* NR packed bias values, or NULL */
  int relu, accumulate;
} sgemm_tile_out;

/*
 * A kernel multiplies a packed MR x kc panel of A (kk-major, MR values per kk) by a packed
 * kc x NR panel of B (NR values per kk). It starts from the MR x NR partial sums in `acc`
 * when `load` is 1 and from zero otherwise. With `out` NULL it stores the sums to `acc`.
 * Otherwise it applies alpha, bias and relu and writes the valid part of the tile to C.
 */
typedef void (*sgemm_kernel_fn)(int64_t kc, const float *a, const float *b, float *acc, int load,
                                const sgemm_tile_out *out);

/* Packs rows x kc of A (rows <= MR) into one panel, zero-filling rows past `rows`. */
typedef void (*sgemm_pack_a_fn)(const float *src, ptrdiff_t row, ptrdiff_t col, int rows, int64_t kc, float *dst);

/* Packs k x cols of B (cols <= NR) into one panel, zero-filling columns past `cols`. */
typedef void (*sgemm_pack_b_fn)(const float *src, ptrdiff_t row, ptrdiff_t col, int64_t k, int cols, float *dst);

typedef struct {
  const char *name;
  sgemm_kernel_fn kernel;
  sgemm_pack_a_fn pack_a;
  sgemm_pack_b_fn pack_b;
} sgemm_isa;

extern const sgemm_isa sgemm_isa_generic;
#if defined(__x86_64__) || defined(__i386__)
extern const sgemm_isa sgemm_isa_avx2;
#endif

/* Picks the fastest kernel set the CPU supports; `force_generic` selects the portable one. */
const sgemm_isa *sgemm_select_isa(int force_generic);

/*
 * Runs the product on the thread pool. Returns 0, or -1 when the packing buffers cannot be
 * allocated (C is then unchanged). Callers serialize calls: the buffers are shared.
 */
int sgemm_run(const sgemm_isa *isa, const sgemm_args *args);

#endif
