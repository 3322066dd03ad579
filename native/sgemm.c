/*
 * SGEMM driver: splits a strided batched product into blocks, packs operands into
 * contiguous panels and runs the selected kernel over them on the thread pool.
 *
 * Each task of a call takes one (batch, MC-row block, NC-column block) of C. For each
 * KC-deep slice of the k range it packs its rows of A and columns of B, then runs the
 * kernel over every MR x NR tile of the block. Tasks never split the k sum, so an output
 * element gets the same operations whatever thread runs it.
 */
#define _POSIX_C_SOURCE 200809L
#include "sgemm.h"

#include <stdlib.h>
#include <string.h>

#include "pool.h"

/*
 * Block sizes: the KC x NR panel of packed B that a column of tiles reuses (16 KiB) stays
 * in L1, and an MC x KC slice of packed A (144 KiB) in L2. On a Zen 3 core (512 KiB L2),
 * MC = 144 ran 2 to 10% faster than 72, 96 or 120 on the benchmark's shapes, and KC = 384
 * or NC = 128 or 192 made no measurable difference.
 */
#define KC_MAX 256
#define MC_MAX 144
#define NC_MAX 256

/*
 * Products under this many multiply-adds run on the calling thread only, because waking a
 * sleeping worker costs about as much (10 to 30 us measured on a 2-core Zen 3 VM).
 */
#define PARALLEL_MIN_MACS ((int64_t)1 << 20)

/* Packed slices of one thread. The A slice has 8 floats of slack for kernels that store 8 lanes at a time. */
typedef struct {
  float *a;    /* MC_MAX x KC_MAX packed slice of A */
  float *b;    /* KC_MAX x NC_MAX packed slice of B */
  float *acc;  /* partial sums of an MC x NC block between KC slices */
  float *bias; /* NC_MAX bias values of the block's columns */
} workspace;

static workspace spaces[POOL_MAX_THREADS];

typedef struct {
  const sgemm_isa *isa;
  const sgemm_args *g;
  int64_t mc, nc, kc;         /* block sizes */
  int64_t m_blocks, n_blocks; /* blocks per batch */
} plan;

static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
static int64_t round_up(int64_t a, int64_t b) { return ceil_div(a, b) * b; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static float *aligned_floats(int64_t count) {
  void *memory = NULL;
  if (posix_memalign(&memory, 64, (size_t)count * sizeof(float)) != 0) return NULL;
  return memory;
}

static int reserve_workspaces(int threads) {
  for (int t = 0; t < threads; t++) {
    workspace *w = &spaces[t];
    if (w->a != NULL) continue;
    w->a = aligned_floats((int64_t)MC_MAX * KC_MAX + 8);
    w->b = aligned_floats((int64_t)KC_MAX * NC_MAX + 8);
    w->acc = aligned_floats((int64_t)MC_MAX * NC_MAX);
    w->bias = aligned_floats(NC_MAX);
    if (w->a == NULL || w->b == NULL || w->acc == NULL || w->bias == NULL) {
      free(w->a);
      free(w->b);
      free(w->acc);
      free(w->bias);
      *w = (workspace){0};
      return -1;
    }
  }
  return 0;
}

/*
 * Computes one MC x NC block of C for one batch. The task packs its own slices of A and B:
 * packing B again in every row block costs about 2 / MC of the multiply-adds, and keeps
 * each call to a single parallel phase.
 */
static void block_task(void *context, int64_t task, int thread) {
  const plan *p = context;
  const sgemm_args *g = p->g;
  workspace *w = &spaces[thread];
  int64_t batch = task / (p->m_blocks * p->n_blocks);
  int64_t rest = task % (p->m_blocks * p->n_blocks);
  int64_t i0 = (rest / p->n_blocks) * p->mc, j0 = (rest % p->n_blocks) * p->nc;
  int64_t rows = min64(p->mc, g->m - i0), cols = min64(p->nc, g->n - j0);
  int64_t m_panels = ceil_div(rows, SGEMM_MR), n_panels = ceil_div(cols, SGEMM_NR);

  const float *a = g->a + batch * g->a_batch + i0 * g->a_row;
  const float *b = g->b + batch * g->b_batch + j0 * g->b_col;
  float *c = g->c + batch * g->c_batch + i0 * g->c_row + j0 * g->c_col;
  if (g->bias != NULL) {
    for (int64_t j = 0; j < cols; j++) w->bias[j] = g->bias[(j0 + j) * g->bias_stride];
  }

  for (int64_t pc = 0; pc < g->k; pc += p->kc) {
    int64_t depth = min64(p->kc, g->k - pc);
    int last = pc + depth == g->k;
    for (int64_t jp = 0; jp < n_panels; jp++) {
      int panel_cols = (int)min64(SGEMM_NR, cols - jp * SGEMM_NR);
      p->isa->pack_b(b + pc * g->b_row + jp * SGEMM_NR * g->b_col, g->b_row, g->b_col, depth, panel_cols,
                     w->b + jp * depth * SGEMM_NR);
    }
    for (int64_t ip = 0; ip < m_panels; ip++) {
      int panel_rows = (int)min64(SGEMM_MR, rows - ip * SGEMM_MR);
      p->isa->pack_a(a + ip * SGEMM_MR * g->a_row + pc * g->a_col, g->a_row, g->a_col, panel_rows, depth,
                     w->a + ip * depth * SGEMM_MR);
    }
    for (int64_t jp = 0; jp < n_panels; jp++) {
      sgemm_tile_out out = {
          .row = g->c_row, .col = g->c_col, .cols = (int)min64(SGEMM_NR, cols - jp * SGEMM_NR),
          .alpha = g->alpha, .bias = g->bias != NULL ? w->bias + jp * SGEMM_NR : NULL,
          .relu = g->relu, .accumulate = g->accumulate,
      };
      for (int64_t ip = 0; ip < m_panels; ip++) {
        float *acc = w->acc + (jp * m_panels + ip) * SGEMM_MR * SGEMM_NR;
        out.c = c + ip * SGEMM_MR * g->c_row + jp * SGEMM_NR * g->c_col;
        out.rows = (int)min64(SGEMM_MR, rows - ip * SGEMM_MR);
        p->isa->kernel(depth, w->a + ip * depth * SGEMM_MR, w->b + jp * depth * SGEMM_NR, acc, pc > 0,
                       last ? &out : NULL);
      }
    }
  }
}

/* Writes act(alpha * 0 + bias) for k = 0, where there is nothing to pack. */
static void run_empty_sum(const sgemm_args *g) {
  for (int64_t batch = 0; batch < g->batch; batch++) {
    for (int64_t i = 0; i < g->m; i++) {
      for (int64_t j = 0; j < g->n; j++) {
        float v = g->alpha * 0.0f;
        if (g->bias != NULL) v += g->bias[j * g->bias_stride];
        if (g->relu && v < 0.0f) v = 0.0f;
        float *c = g->c + batch * g->c_batch + i * g->c_row + j * g->c_col;
        *c = g->accumulate ? *c + v : v;
      }
    }
  }
}

int sgemm_run(const sgemm_isa *isa, const sgemm_args *g) {
  if (g->batch == 0 || g->m == 0 || g->n == 0) return 0;
  if (g->k == 0) {
    run_empty_sum(g);
    return 0;
  }

  int64_t macs = g->batch * g->m * g->n * g->k;
  int threads = macs < PARALLEL_MIN_MACS ? 1 : pool_threads();
  if (reserve_workspaces(threads) != 0) return -1;

  plan p = {.isa = isa, .g = g};
  p.m_blocks = ceil_div(g->m, MC_MAX);
  p.n_blocks = ceil_div(g->n, NC_MAX);
  /* Smaller row blocks when there are too few blocks to keep every thread busy. */
  while (g->batch * p.m_blocks * p.n_blocks < 2 * threads && p.m_blocks * SGEMM_MR < g->m) p.m_blocks *= 2;
  p.mc = round_up(ceil_div(g->m, p.m_blocks), SGEMM_MR);
  p.m_blocks = ceil_div(g->m, p.mc);
  p.nc = round_up(ceil_div(g->n, p.n_blocks), SGEMM_NR);
  p.n_blocks = ceil_div(g->n, p.nc);
  p.kc = ceil_div(g->k, ceil_div(g->k, KC_MAX));

  pool_run(block_task, &p, g->batch * p.m_blocks * p.n_blocks, threads);
  return 0;
}

const sgemm_isa *sgemm_select_isa(int force_generic) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (!force_generic && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &sgemm_isa_avx2;
#else
  (void)force_generic;
#endif
  return &sgemm_isa_generic;
}
