// Worker thread of the data loader: receives the image stage once, then batches of sample jobs,
// and posts back each batch's image tensor (its buffer transferred, not copied).
import { parentPort } from 'node:worker_threads';
import { loadBatchImages, type ImageStage, type SampleJob } from './sample.js';

export type WorkerRequest = { type: 'init'; stage: ImageStage } | { type: 'batch'; id: number; epoch: number; jobs: SampleJob[] };
export type WorkerReply =
  | { type: 'batch'; id: number; images: Float32Array; failures: Awaited<ReturnType<typeof loadBatchImages>>['failures'] }
  | { type: 'error'; id: number; message: string };

let stage: ImageStage | undefined;

parentPort?.on('message', (request: WorkerRequest) => {
  if (request.type === 'init') {
    stage = request.stage;
    return;
  }
  const current = stage;
  if (current === undefined) {
    parentPort?.postMessage({ type: 'error', id: request.id, message: 'The worker received a batch before its settings.' } satisfies WorkerReply);
    return;
  }
  loadBatchImages(request.jobs, current, request.epoch).then(
    (result) => parentPort?.postMessage({ type: 'batch', id: request.id, images: result.images, failures: result.failures } satisfies WorkerReply, [result.images.buffer as ArrayBuffer]),
    (error: unknown) => parentPort?.postMessage({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
  );
});
