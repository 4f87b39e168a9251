import { defineConfig } from 'vitest/config';

// One project per package; tests/ holds what crosses packages (fakes, integration, crash, e2e).
export default defineConfig({
  test: {
    projects: ['shared', 'nodes', 'server', 'editor', 'tests'],
  },
});
