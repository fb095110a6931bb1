import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `@rsvp/source` export condition.
const conditions = ['@rsvp/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@rsvp/source'] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'stack/src/**/*.test.ts'],
          // The property suites take a few seconds on an idle machine; a shared, busy one (2 cores under a
          // load of 12 and more, seen) must not fail them on vitest's 5 s default.
          testTimeout: 30_000,
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.integration.test.ts', 'stack/src/**/*.integration.test.ts'],
          // The three-node fault test runs on its own (vitest.cluster.config.ts): `pnpm test` runs it after
          // these, once the one-node stacks are stopped (scripts/test-all.sh); `pnpm test:cluster` alone.
          exclude: ['**/cluster.integration.test.ts', '**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
