import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'migrations/**', '.bundles/**', 'bench-results/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  // The import arrows go one way: shared ← nodes ← server, shared ← editor; runtime code has no HTTP framework.
  {
    files: ['shared/src/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@bundles/nodes', '@bundles/nodes/*', '@bundles/server', '@bundles/server/*', '@bundles/editor', '**/nodes/src/**', '**/server/src/**', '**/editor/src/**'], message: 'shared imports nothing of the other packages' }] }] },
  },
  {
    files: ['nodes/src/**'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@bundles/server', '@bundles/server/*', '@bundles/editor', '**/server/src/**', '**/editor/src/**', '**/tests/**', 'fastify', '@fastify/*'], message: 'nodes import only shared (and their own libraries)' }] }] },
  },
  // Values come from shared's light subpaths (error-texts, graph-diff, …): its index pulls zod into the editor's bundle.
  {
    files: ['editor/src/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@bundles/shared', allowTypeImports: true, message: 'import only types from @bundles/shared, values from a subpath such as @bundles/shared/error-texts' }],
          patterns: [{ group: ['@bundles/nodes', '@bundles/nodes/*', '@bundles/server', '@bundles/server/*', '**/nodes/src/**', '**/server/src/**'], message: 'the editor talks to the server over HTTP and imports only shared' }],
        },
      ],
    },
  },
  {
    files: ['server/src/runtime/**', 'server/src/services/**', 'server/src/secrets/**', 'server/src/db/**'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['fastify', '@fastify/*', '**/routes/**', '**/plugins/**', '@bundles/editor'], message: 'runtime code is free of the HTTP framework' }] }] },
  },
  {
    files: ['tests/**', '**/*.test.ts', '**/*.test.tsx', 'server/src/main.ts', 'server/src/cli/**'],
    rules: { 'no-console': 'off' },
  },
);
