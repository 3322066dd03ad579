// The training metrics file under failing writes: a write that stops short or fails after
// writing part of a line is cut back to the last complete line, and the error names the file.
// The report reader names the file and line of a line that is not valid JSON.
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/run.js';
import { EvalError } from '../../src/eval/index.js';
import { parseMetricsJsonl } from '../../src/report/rundir.js';
import { appendMetrics } from '../../src/report/write.js';
import { TrainingError } from '../../src/runtime/errors.js';
import { MetricsWriter, type StepMetrics } from '../../src/runtime/metrics.js';

/** How the next `writeSync` behaves: normally, or writing `bytes` bytes and then stopping short or throwing. */
const failure: { mode: 'none' | 'short' | 'throw'; bytes: number } = { mode: 'none', bytes: 0 };

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const writeSync = (fd: number, buffer: Buffer, offset?: number, length?: number): number => {
    if (failure.mode === 'none') return real.writeSync(fd, buffer, offset, length);
    const written = real.writeSync(fd, buffer, offset ?? 0, failure.bytes);
    if (failure.mode === 'short') return written;
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return { ...real, writeSync, default: { ...real, writeSync } };
});

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tierc-metrics-'));
  failure.mode = 'none';
});

afterEach(() => {
  failure.mode = 'none';
  rmSync(dir, { recursive: true, force: true });
});

function step(n: number): StepMetrics {
  return { step: n, loss: 2.5 - n / 10, terms: { clip: 2.5 - n / 10 }, lr: 1e-3, samplesPerSecond: 40, dataWaitFraction: 0.1, seconds: 0.2 };
}

function errorOf(action: () => void): TrainingError {
  try {
    action();
  } catch (error) {
    if (error instanceof TrainingError) return error;
    throw error;
  }
  throw new Error('expected a TrainingError');
}

describe('metrics file writes', () => {
  for (const mode of ['short', 'throw'] as const) {
    it(`keeps complete lines after a ${mode} write`, () => {
      const file = path.join(dir, 'metrics.jsonl');
      const writer = new MetricsWriter(file, 0);
      writer.write(step(1));
      writer.write(step(2));
      const before = readFileSync(file, 'utf8');
      failure.mode = mode;
      failure.bytes = 7;
      const error = errorOf(() => writer.write(step(3)));
      failure.mode = 'none';
      writer.close();

      expect(error.diagnostic.code).toBe('TIER6018');
      expect(error.message).toContain(`'${file}'`);
      expect(error.message).toContain(mode === 'short' ? 'only 7 of' : 'ENOSPC');
      expect(readFileSync(file, 'utf8')).toBe(before);
      expect(parseMetricsJsonl(readFileSync(file, 'utf8'), file).map((row) => row.step)).toEqual([1, 2]);
    });
  }

  it('continues after a failed write', () => {
    const file = path.join(dir, 'metrics.jsonl');
    const writer = new MetricsWriter(file, 0);
    writer.write(step(1));
    failure.mode = 'throw';
    failure.bytes = 3;
    errorOf(() => writer.write(step(2)));
    failure.mode = 'none';
    writer.write(step(2));
    writer.close();
    expect(parseMetricsJsonl(readFileSync(file, 'utf8'), file).map((row) => row.step)).toEqual([1, 2]);
  });

  it('appendMetrics keeps complete lines', () => {
    const file = path.join(dir, 'metrics.jsonl');
    appendMetrics(dir, { step: 1, clip: 2.5 });
    const before = readFileSync(file, 'utf8');
    failure.mode = 'throw';
    failure.bytes = 5;
    expect(() => appendMetrics(dir, { step: 2, clip: 2.4 })).toThrow(EvalError);
    failure.mode = 'none';
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('drops a partial last line on resume', () => {
    const file = path.join(dir, 'metrics.jsonl');
    writeFileSync(file, `${JSON.stringify({ step: 1, loss: 2 })}\n${JSON.stringify({ step: 2, loss: 1.9 })}\n{"step": 3, "lo`);
    const writer = new MetricsWriter(file, 2);
    writer.write(step(3));
    writer.close();
    expect(parseMetricsJsonl(readFileSync(file, 'utf8'), file).map((row) => row.step)).toEqual([1, 2, 3]);
  });
});

describe('metrics file readers', () => {
  it('parser names file and line', () => {
    const file = path.join(dir, 'metrics.jsonl');
    expect(() => parseMetricsJsonl('{"step": 1, "loss": 2}\n\n{"step": 2, "lo\n', file)).toThrow(`${file}: line 3: The line is not valid JSON`);
  });

  it('report command names the line', async () => {
    writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ spec: { name: 'm' } }));
    writeFileSync(path.join(dir, 'metrics.jsonl'), '{"step": 1, "loss": 2}\n{"step": 2, "lo\n');
    let stderr = '';
    const io: CliIo = { stdout: () => undefined, stderr: (text) => void (stderr += text), cwd: dir, env: {}, isTTY: false };
    const code = await run(['report', '--run', '.', '-o', 'report.html'], io);
    expect(code).toBe(1);
    expect(stderr).toContain('metrics.jsonl: line 2: The line is not valid JSON');
    expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(false);
  });
});
