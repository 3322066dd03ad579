/*
 * SGEMM driver: splits a strided batched product into blocks, packs operands into
 * contiguous panels and runs the selected kernel over them on the thread pool.
 *
 * Each call runs in two parallel phases. First every NR-column panel of B is packed over
 * the whole k range, once per batch (once in all when B's batch stride is 0). Then each
 * task takes one (batch, MC-row block, NC-column block) of C, packs its rows of A in
 * KC-deep slices and runs the kernel over every MR x NR tile of the block. Tasks never
 * split the k sum, so an output element gets the same operations whatever thread runs it.
 */
#define _POSIX_C_SOURCE 200809L
#include "sgemm.h"

#include <stdlib.h>
#include <string.h>

#include "pool.h"

/* Block sizes: an MC x KC slice of packed A (96 KiB) stays in L2, a KC x NR panel of B (16 KiB) in L1. */
#define KC_MAX 256
#define MC_MAX 96
#define NC_MAX 256

/* Packed B of several batches is limited to this many floats (64 MiB); one batch may exceed it. */
#define PACKED_B_MAX_FLOATS ((int64_t)1 << 24)

/* Products under this many multiply-adds run on the calling thread only, because waking the pool costs more. */
#define PARALLEL_MIN_MACS ((int64_t)1 << 17)

typedef struct {
  float *a;    /* MC_MAX x KC_MAX packed slice of A */
  float *acc;  /* partial sums of an MC x NC block between KC slices */
  float *bias; /* NC_MAX bias values of the block's columns */
} workspace;

static workspace spaces[POOL_MAX_THREADS];
static float *packed_b;
static int64_t packed_b_capacity;

typedef struct {
  const sgemm_isa *isa;
  const sgemm_args *g;
  int64_t mc, nc, kc;           /* block sizes */
  int64_t m_blocks, n_blocks;   /* blocks per batch */
  int64_t n_panels;             /* NR-column panels per batch */
  int64_t batch_first, batches; /* batches of this group */
  int b_shared;                 /* B's batch stride is 0, so one packed copy serves every batch */
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
    if (spaces[t].a != NULL) continue;
    spaces[t].a = aligned_floats((int64_t)MC_MAX * KC_MAX);
    spaces[t].acc = aligned_floats((int64_t)MC_MAX * NC_MAX);
    spaces[t].bias = aligned_floats(NC_MAX);
    if (spaces[t].a == NULL || spaces[t].acc == NULL || spaces[t].bias == NULL) {
      free(spaces[t].a);
      free(spaces[t].acc);
      free(spaces[t].bias);
      spaces[t] = (workspace){0};
      return -1;
    }
  }
  return 0;
}

static int reserve_packed_b(int64_t floats) {
  if (floats <= packed_b_capacity) return 0;
  free(packed_b);
  packed_b = aligned_floats(floats);
  packed_b_capacity = packed_b == NULL ? 0 : floats;
  return packed_b == NULL ? -1 : 0;
}

/* Phase 1 task: packs NR-column panel `task % n_panels` of batch `task / n_panels` of the group. */
static void pack_b_task(void *context, int64_t task, int thread) {
  (void)thread;
  const plan *p = context;
  const sgemm_args *g = p->g;
  int64_t local = task / p->n_panels, panel = task % p->n_panels;
  int64_t batch = p->batch_first + local;
  int64_t j0 = panel * SGEMM_NR;
  const float *src = g->b + batch * g->b_batch + j0 * g->b_col;
  float *dst = packed_b + task * g->k * SGEMM_NR;
  p->isa->pack_b(src, g->b_row, g->b_col, g->k, (int)min64(SGEMM_NR, g->n - j0), dst);
}

/* Phase 2 task: computes one MC x NC block of C for one batch of the group. */
static void block_task(void *context, int64_t task, int thread) {
  const plan *p = context;
  const sgemm_args *g = p->g;
  workspace *w = &spaces[thread];
  int64_t local = task / (p->m_blocks * p->n_blocks);
  int64_t rest = task % (p->m_blocks * p->n_blocks);
  int64_t batch = p->batch_first + local;
  int64_t i0 = (rest / p->n_blocks) * p->mc, j0 = (rest % p->n_blocks) * p->nc;
  int64_t rows = min64(p->mc, g->m - i0), cols = min64(p->nc, g->n - j0);
  int64_t m_panels = ceil_div(rows, SGEMM_MR), n_panels = ceil_div(cols, SGEMM_NR);

  const float *a = g->a + batch * g->a_batch + i0 * g->a_row;
  float *c = g->c + batch * g->c_batch + i0 * g->c_row + j0 * g->c_col;
  const float *b_panels = packed_b + ((p->b_shared ? 0 : local) * p->n_panels + j0 / SGEMM_NR) * g->k * SGEMM_NR;
  if (g->bias != NULL) {
    for (int64_t j = 0; j < cols; j++) w->bias[j] = g->bias[(j0 + j) * g->bias_stride];
  }

  for (int64_t pc = 0; pc < g->k; pc += p->kc) {
    int64_t depth = min64(p->kc, g->k - pc);
    int last = pc + depth == g->k;
    for (int64_t ip = 0; ip < m_panels; ip++) {
      int panel_rows = (int)min64(SGEMM_MR, rows - ip * SGEMM_MR);
      p->isa->pack_a(a + ip * SGEMM_MR * g->a_row + pc * g->a_col, g->a_row, g->a_col, panel_rows, depth,
                     w->a + ip * depth * SGEMM_MR);
    }
    for (int64_t jp = 0; jp < n_panels; jp++) {
      const float *b_panel = b_panels + jp * g->k * SGEMM_NR + pc * SGEMM_NR;
      sgemm_tile_out out = {
          .row = g->c_row, .col = g->c_col, .cols = (int)min64(SGEMM_NR, cols - jp * SGEMM_NR),
          .alpha = g->alpha, .bias = g->bias != NULL ? w->bias + jp * SGEMM_NR : NULL,
          .relu = g->relu, .accumulate = g->accumulate,
      };
      for (int64_t ip = 0; ip < m_panels; ip++) {
        float *acc = w->acc + (jp * m_panels + ip) * SGEMM_MR * SGEMM_NR;
        out.c = c + ip * SGEMM_MR * g->c_row + jp * SGEMM_NR * g->c_col;
        out.rows = (int)min64(SGEMM_MR, rows - ip * SGEMM_MR);
        p->isa->kernel(depth, w->a + ip * depth * SGEMM_MR, b_panel, acc, pc > 0, last ? &out : NULL);
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

  plan p = {.isa = isa, .g = g, .b_shared = g->b_batch == 0};
  p.m_blocks = ceil_div(g->m, MC_MAX);
  p.n_blocks = ceil_div(g->n, NC_MAX);
  /* Smaller row blocks when there are too few blocks to keep every thread busy. */
  while (g->batch * p.m_blocks * p.n_blocks < 2 * threads && p.m_blocks * SGEMM_MR < g->m) p.m_blocks *= 2;
  p.mc = round_up(ceil_div(g->m, p.m_blocks), SGEMM_MR);
  p.m_blocks = ceil_div(g->m, p.mc);
  p.nc = round_up(ceil_div(g->n, p.n_blocks), SGEMM_NR);
  p.n_blocks = ceil_div(g->n, p.nc);
  p.kc = ceil_div(g->k, ceil_div(g->k, KC_MAX));
  p.n_panels = ceil_div(g->n, SGEMM_NR);

  int64_t batch_floats = p.n_panels * g->k * SGEMM_NR;
  int64_t group = p.b_shared ? g->batch : PACKED_B_MAX_FLOATS / batch_floats;
  if (group < 1) group = 1;
  if (group > g->batch) group = g->batch;
  if (reserve_packed_b((p.b_shared ? 1 : group) * batch_floats) != 0) return -1;

  for (p.batch_first = 0; p.batch_first < g->batch; p.batch_first += group) {
    p.batches = min64(group, g->batch - p.batch_first);
    if (!p.b_shared || p.batch_first == 0) pool_run(pack_b_task, &p, (p.b_shared ? 1 : p.batches) * p.n_panels, threads);
    pool_run(block_task, &p, p.batches * p.m_blocks * p.n_blocks, threads);
  }
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
