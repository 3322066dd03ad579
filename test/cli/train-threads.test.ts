// `tierc train --wasm-threads N` on a spec that trains on its own data: the thread count reaches
// the pipeline's trainSpec. The pipeline is replaced by a stub that records its options, so no
// training runs here.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/run.js';
import { captureIo } from './capture.js';

const trainSpec = vi.fn(async () => ({ steps: 1, batch: 2, batchesPerEpoch: 1, seconds: 0, backend: 'wasm', outDir: 'runs/tiny', last: { loss: 1 } }));

vi.mock('../../src/pipeline/index.js', () => ({
  loadSpecPlan: () => ({ checked: { diagnostics: [], sources: new Map() }, model: { name: 'tiny' }, data: undefined }),
  trainSpec,
}));

const scratch = mkdtempSync(join(tmpdir(), 'tierc-train-threads-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('train on spec data', () => {
  it('forwards --wasm-threads to trainSpec', async () => {
    // Checking the spec reads the vocabulary file; the data files are only read by the stubbed pipeline.
    mkdirSync(join(scratch, 'phantom'));
    writeFileSync(join(scratch, 'phantom', 'vocab.txt'), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'the'].join('\n'));
    copyFileSync(join(import.meta.dirname, '..', 'fixtures', 'pipeline', 'tiny.tier'), join(scratch, 'tiny.tier'));
    const io = captureIo(scratch);
    const code = await run(['train', 'tiny.tier', '--wasm-threads', '3'], io);
    expect(io.err.join('')).toBe('');
    expect(code).toBe(0);
    expect(trainSpec).toHaveBeenCalledTimes(1);
    const options = trainSpec.mock.calls[0]![1] as { wasmThreads?: number };
    expect(options.wasmThreads).toBe(3);
  });
});
