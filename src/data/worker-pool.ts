// A small pool of loader worker threads. Each worker takes one batch at a time; queued batches
// wait in the main thread. Idle workers are unref'd, so a loader that is never closed does not
// keep the process alive, while a batch in flight does.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DataError } from './errors.js';
import type { WorkerReply } from './loader-worker.js';
import type { BatchImages, ImageStage, SampleJob } from './sample.js';

interface Task {
  id: number;
  epoch: number;
  jobs: SampleJob[];
  resolve(result: BatchImages): void;
  reject(error: Error): void;
}

/** Finds the compiled worker script; under a TypeScript test runner this module is the .ts source, so the build output is used. */
export function workerScriptUrl(): URL {
  const here = new URL('./loader-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  // NOTE: running from src/ (vitest) needs `tsc` to have built dist/ first; `npm test` builds before testing.
  const built = new URL(import.meta.url.replace(/\/src\/data\/worker-pool\.ts$/, '/dist/data/loader-worker.js'));
  if (existsSync(fileURLToPath(built))) return built;
  throw new DataError({ code: 'TIER5032', message: `The loader worker script '${fileURLToPath(here)}' does not exist; build tierc with 'npm run build' or use 'workers: 0'.` });
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Task[] = [];
  private readonly running = new Map<Worker, Task>();
  private nextId = 0;
  private closed = false;

  constructor(count: number, stage: ImageStage) {
    const script = workerScriptUrl();
    for (let i = 0; i < count; i++) {
      const worker = new Worker(script);
      worker.postMessage({ type: 'init', stage });
      worker.on('message', (reply: WorkerReply) => this.finish(worker, reply));
      worker.on('error', (error) => this.fail(worker, error));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(worker, new Error(`The worker exited with code ${code}.`));
      });
      worker.unref();
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  run(epoch: number, jobs: SampleJob[]): Promise<BatchImages> {
    if (this.closed) return Promise.reject(new DataError({ code: 'TIER5032', message: 'The data loader is closed.' }));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, epoch, jobs, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const task = this.queue.shift() as Task;
      this.running.set(worker, task);
      worker.ref();
      worker.postMessage({ type: 'batch', id: task.id, epoch: task.epoch, jobs: task.jobs });
    }
  }

  private finish(worker: Worker, reply: WorkerReply): void {
    const task = this.running.get(worker);
    if (task === undefined || task.id !== reply.id) return;
    this.running.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if (reply.type === 'batch') task.resolve({ images: reply.images, failures: reply.failures });
    else task.reject(new DataError({ code: 'TIER5032', message: `A data loader worker failed: ${reply.message}` }));
    this.dispatch();
  }

  private fail(worker: Worker, error: Error): void {
    const task = this.running.get(worker);
    this.running.delete(worker);
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    const failure = new DataError({ code: 'TIER5032', message: `A data loader worker failed: ${error.message}` });
    task?.reject(failure);
    if (this.workers.length === 0) for (const queued of this.queue.splice(0)) queued.reject(failure);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = new DataError({ code: 'TIER5032', message: 'The data loader was closed while a batch was loading.' });
    for (const task of this.queue.splice(0)) task.reject(closedError);
    for (const task of this.running.values()) task.reject(closedError);
    this.running.clear();
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
