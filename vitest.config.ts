import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 180_000,
    // Two cores: files run in parallel processes, but never more than the machine can carry.
    maxWorkers: 2,
    pool: 'forks',
  },
});
