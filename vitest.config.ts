import { defineConfig } from 'vitest/config';

// Two suites: fast pure tests, and runtime tests that train with tfjs or run onnxruntime.
// Both run under `npm test`; files under test/runtime/ are the slow ones.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
