import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'tests',
    include: ['integration/**/*.test.ts', 'crash/**/*.test.ts', 'e2e/**/*.test.ts', 'bench/**/*.test.ts', 'fakes/**/*.test.ts', 'chaos/**/*.test.ts'],
    globalSetup: ['./support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
