import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'tests',
    include: ['integration/**/*.test.ts', 'crash/**/*.test.ts', 'e2e/**/*.test.ts', 'bench/**/*.test.ts', 'fakes/**/*.test.ts', 'chaos/**/*.test.ts'],
    globalSetup: ['./support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The fakes and sinks listen on loopback: every Bundles process the tests start allows it, as an
    // operator allows a local service (in-process ones get the same from server/src/testing.ts).
    env: { BUNDLES_ALLOWED_HOSTS: '127.0.0.1,localhost,::1' },
  },
});
