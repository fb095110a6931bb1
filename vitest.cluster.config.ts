import { defineConfig } from 'vitest/config';

// The fault test on a three-node cluster (it starts and stops the cluster itself, on ports of its own):
// `pnpm test` runs it after the other suites (scripts/test-all.sh, bounded in time), `pnpm test:cluster` alone.
const conditions = ['@rsvp/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@rsvp/source'] } },
  test: {
    include: ['packages/cli/src/cluster.integration.test.ts'],
    testTimeout: 720_000,
    hookTimeout: 420_000,
  },
});
