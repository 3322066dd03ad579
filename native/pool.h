/*
 * Persistent thread pool of the tierc native addon. Workers sleep on a condition variable
 * between jobs. A job is a count of independent tasks that the calling thread and the
 * workers take in order from a shared counter, so which thread runs a task varies.
 */
#ifndef TIERC_POOL_H
#define TIERC_POOL_H

#include <stdint.h>

#define POOL_MAX_THREADS 64

/* Runs task `task` of a job on thread `thread` (0 is the calling thread). */
typedef void (*pool_task_fn)(void *context, int64_t task, int thread);

/* Sets the thread count, the calling thread included (1..POOL_MAX_THREADS). Returns 0, or -1 when a thread cannot start. */
int pool_set_threads(int threads);

/* Returns the thread count that jobs use, the calling thread included. */
int pool_threads(void);

/* Runs tasks 0 .. tasks-1 of `fn` on at most `max_threads` threads and returns when all are done. */
void pool_run(pool_task_fn fn, void *context, int64_t tasks, int max_threads);

#endif
