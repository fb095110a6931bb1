import { defineConfig } from 'vitest/config';

// `pnpm test:cluster`: the fault test on a three-node cluster (it starts and stops the cluster itself, on
// ports of its own). Not part of `pnpm test` yet: kafkajs's idempotent producer sometimes fails or loses
// records during the brokers' rolling restart (see the README's "Running on a cluster").
const conditions = ['@rsvp/source', 'module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@rsvp/source'] } },
  test: {
    include: ['packages/cli/src/cluster.integration.test.ts'],
    testTimeout: 1_200_000,
    hookTimeout: 420_000,
  },
});
