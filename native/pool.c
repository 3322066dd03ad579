/*
 * Persistent thread pool: POOL_MAX_THREADS - 1 workers at most, started when a job first
 * needs them and stopped when the thread count is lowered. Between jobs every worker waits
 * on the `wake` condition variable, so an idle pool uses no CPU time. Callers serialize
 * pool_run and pool_set_threads (the addon holds one lock around both).
 */
#define _POSIX_C_SOURCE 200809L
#define _DARWIN_C_SOURCE /* sysconf(_SC_NPROCESSORS_ONLN) on macOS */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER; /* a job starts, or workers must exit */
static pthread_cond_t done = PTHREAD_COND_INITIALIZER; /* the last busy worker finished its tasks */

static pthread_t workers[POOL_MAX_THREADS];
static uint64_t first_generation[POOL_MAX_THREADS]; /* generation when worker w started; jobs after it are its to run */
static int started;         /* workers running; worker w has index w + 1 */
static int configured;      /* thread count jobs use, the calling thread included; 0 until first read */
static int keep = POOL_MAX_THREADS; /* workers with index >= keep exit */
static uint64_t generation; /* incremented when a job starts */

static pool_task_fn job_fn;
static void *job_context;
static int64_t job_tasks;
static int job_threads; /* threads in the current job; workers with index >= job_threads sit it out */
static int busy;        /* workers of the current job that have not finished */
static atomic_int_fast64_t next_task;

static void run_tasks(int thread) {
  for (;;) {
    int64_t task = atomic_fetch_add(&next_task, 1);
    if (task >= job_tasks) return;
    job_fn(job_context, task, thread);
  }
}

static void *worker_main(void *arg) {
  int index = (int)(intptr_t)arg;
  pthread_mutex_lock(&lock);
  uint64_t seen = first_generation[index - 1];
  for (;;) {
    while (generation == seen && index < keep) pthread_cond_wait(&wake, &lock);
    if (index >= keep) break;
    seen = generation;
    if (index >= job_threads) continue;
    pthread_mutex_unlock(&lock);
    run_tasks(index);
    pthread_mutex_lock(&lock);
    if (--busy == 0) pthread_cond_signal(&done);
  }
  pthread_mutex_unlock(&lock);
  return NULL;
}

static int default_threads(void) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  if (cpus < 1) return 1;
  return cpus > POOL_MAX_THREADS ? POOL_MAX_THREADS : (int)cpus;
}

/* Starts workers until `count` run; returns how many run. Called with `lock` held. */
static int start_workers(int count) {
  keep = POOL_MAX_THREADS;
  while (started < count) {
    first_generation[started] = generation;
    if (pthread_create(&workers[started], NULL, worker_main, (void *)(intptr_t)(started + 1)) != 0) break;
    started += 1;
  }
  return started;
}

int pool_threads(void) {
  pthread_mutex_lock(&lock);
  if (configured == 0) configured = default_threads();
  int threads = configured;
  pthread_mutex_unlock(&lock);
  return threads;
}

int pool_set_threads(int threads) {
  if (threads < 1 || threads > POOL_MAX_THREADS) return -1;
  pthread_mutex_lock(&lock);
  int status = 0;
  if (threads - 1 > started) {
    if (start_workers(threads - 1) < threads - 1) status = -1;
  } else if (threads - 1 < started) {
    int stopping_from = threads - 1;
    keep = threads;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
    for (int w = stopping_from; w < started; w++) pthread_join(workers[w], NULL);
    pthread_mutex_lock(&lock);
    started = stopping_from;
  }
  configured = status == 0 ? threads : started + 1;
  pthread_mutex_unlock(&lock);
  return status;
}

void pool_run(pool_task_fn fn, void *context, int64_t tasks, int max_threads) {
  if (tasks <= 0) return;
  pthread_mutex_lock(&lock);
  if (configured == 0) configured = default_threads();
  int threads = configured < max_threads ? configured : max_threads;
  if ((int64_t)threads > tasks) threads = (int)tasks;
  if (threads > 1 && started < threads - 1) threads = start_workers(threads - 1) + 1;

  job_fn = fn;
  job_context = context;
  job_tasks = tasks;
  atomic_store(&next_task, 0);
  if (threads <= 1) {
    job_threads = 1;
    pthread_mutex_unlock(&lock);
    run_tasks(0);
    return;
  }
  job_threads = threads;
  busy = threads - 1;
  generation += 1;
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&lock);

  run_tasks(0);

  pthread_mutex_lock(&lock);
  while (busy > 0) pthread_cond_wait(&done, &lock);
  pthread_mutex_unlock(&lock);
}
