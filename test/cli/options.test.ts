// Numeric and backend options: one parser per kind, so every command rejects a bad number with exit code 2
// and a message that names the option, before it reads any file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { integerOption, numberOption } from '../../src/cli/options.js';
import { run } from '../../src/cli/run.js';
import { captureIo } from './capture.js';

const folder = mkdtempSync(join(tmpdir(), 'tierc-options-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('integerOption', () => {
  const count = integerOption({ min: 1 });

  it('accepts whole numbers in range', () => {
    expect(count('1')).toBe(1);
    expect(count('600')).toBe(600);
    expect(count(' 7 ')).toBe(7);
    expect(integerOption({ min: 32, max: 2048 })('2048')).toBe(2048);
  });

  it('rejects text, fractions and out-of-range values', () => {
    for (const text of ['abc', '', '1.5', '1e3', '0x10', '0', '-1', '99999999999999999999']) {
      expect(() => count(text), text).toThrow(InvalidArgumentError);
    }
    expect(() => integerOption({ min: 32, max: 2048 })('2049')).toThrow('Expected a whole number from 32 to 2048.');
    expect(() => count('0')).toThrow('Expected a whole number of at least 1.');
  });
});

describe('numberOption', () => {
  const level = numberOption({ min: 0, max: 1, aboveMin: true, belowMax: true });

  it('accepts decimals and exponents', () => {
    expect(level('0.95')).toBe(0.95);
    expect(level('.5')).toBe(0.5);
    expect(numberOption({ min: 0, aboveMin: true })('1e-4')).toBe(1e-4);
  });

  it('excludes open bounds', () => {
    expect(() => level('0')).toThrow('Expected a number above 0 and below 1.');
    expect(() => level('1')).toThrow(InvalidArgumentError);
    expect(() => level('abc')).toThrow(InvalidArgumentError);
    expect(() => level('Infinity')).toThrow(InvalidArgumentError);
  });
});

// Each row: the arguments before the value, the option as commander names it, and values that
// must be usage errors. Files named here do not exist: parsing must fail before they are read.
const cases: Array<[args: string[], option: string, bad: string[]]> = [
  [['data', 'phantom', '-o', join(folder, 'ph'), '--n'], '--n <count>', ['abc', '0', '-1', '1.5', '']],
  [['data', 'phantom', '-o', join(folder, 'ph'), '--size'], '--size <pixels>', ['abc', '0', '31', '2049']],
  [['data', 'phantom', '-o', join(folder, 'ph'), '--seed'], '--seed <k>', ['abc', '-1', '4294967296']],
  [['data', 'check', '--manifest', 'm.csv', '--root', '.', '--image-column', 'i', '--text-column', 't', '--max-len'], '--max-len <n>', ['abc', '0']],
  [['data', 'check', '--manifest', 'm.csv', '--root', '.', '--image-column', 'i', '--text-column', 't', '--max-dimension'], '--max-dimension <pixels>', ['abc', '0']],
  [['tokenizer', 'train', '--manifest', 'm.csv', '--text-column', 't', '-o', 'v.txt', '--vocab-size'], '--vocab-size <n>', ['abc', '9']],
  [['tokenizer', 'train', '--manifest', 'm.csv', '--text-column', 't', '-o', 'v.txt', '--vocab-size', '100', '--min-frequency'], '--min-frequency <n>', ['abc', '0']],
  [['tokenizer', 'encode', 'text', '--tokenizer', 'vocab.txt', '--max-len'], '--max-len <n>', ['abc', '0']],
  [['eval', '--scores', 's.json', '--bootstrap'], '--bootstrap <n>', ['abc', '-1', '1.5']],
  [['eval', '--scores', 's.json', '--confidence'], '--confidence <level>', ['abc', '0', '1', '95']],
  [['eval', '--scores', 's.json', '--seed'], '--seed <n>', ['abc', '-1']],
  [['report', '--run', 'r', '-o', 'r.html', '--overlay-size'], '--overlay-size <pixels>', ['abc', '31', '2049']],
  [['explain', 'spec.tier', '--batch'], '--batch <n>', ['abc', '0']],
  [['compile', 'spec.tier', '--target', 'onnx', '--opset'], '--opset <n>', ['abc', '12', '22']],
  [['compile', 'spec.tier', '--target', 'ir', '--seed'], '--seed <n>', ['abc', '-1', '1.5']],
  [['train', 'spec.tier', '--steps'], '--steps <n>', ['abc', '0']],
  [['train', 'spec.tier', '--batch'], '--batch <n>', ['abc', '0']],
  [['train', 'spec.tier', '--wasm-threads'], '--wasm-threads <n>', ['abc', '0']],
  [['run', 'model.onnx', '--image', 'a.png', '--first'], '--first <n>', ['abc', '0']],
  [['verify', 'spec.tier', '--weights', 'w', '--images'], '--images <n>', ['abc', '0']],
  [['verify', 'spec.tier', '--weights', 'w', '--tolerance'], '--tolerance <x>', ['abc', '0', '-1']],
  [['train', 'spec.tier', '--backend'], '--backend <name>', ['gpu', 'WASM', '']],
  [['eval', 'spec.tier', '--weights', 'w', '--backend'], '--backend <name>', ['gpu']],
  [['verify', 'spec.tier', '--weights', 'w', '--backend'], '--backend <name>', ['tpu']],
  [['doctor', '--backend'], '--backend <name>', ['nope']],
];

describe('numeric and backend options of every command', () => {
  for (const [args, option, bad] of cases) {
    it(`${args[0]} ${option} rejects bad values`, async () => {
      for (const value of bad) {
        const io = captureIo(folder);
        const code = await run([...args, value], io);
        const message = io.err.join('');
        expect(code, `${option} '${value}'`).toBe(2);
        expect(message, `${option} '${value}'`).toContain(`option '${option}' argument '${value}' is invalid.`);
      }
    });
  }
});
