#!/usr/bin/env bash
# `pnpm test`: every test suite. The integration suites need the real Kafka and Cassandra, and the secured
# pair beside them (SASL_SSL Kafka, Cassandra with TLS and a password: `stack/src/cli.ts up --secured`):
# this starts both stacks (assembling the servers from Maven Central on the first run), and stops each at
# the end unless it was running before. The browser tests need Debian's Chromium, installed here when missing.
# Then the fault test on a three-node cluster (vitest.cluster.config.ts), once the one-node stacks this
# started are stopped (2 cores do not run all three well): it starts and stops the cluster itself, on ports
# of its own; it is bounded to RSVP_CLUSTER_TEST_LIMIT (default 15m), and the cluster is stopped after it
# whatever happened, unless it was running before.
set -euo pipefail
cd "$(dirname "$0")/.."

# The cluster's ports: the same defaults as cluster.integration.test.ts.
cluster_env=(
  RSVP_STACK_NODES=3
  "RSVP_KAFKA_PORT=${RSVP_CLUSTER_KAFKA_PORT:-19192}"
  "RSVP_KAFKA_CONTROLLER_PORT=${RSVP_CLUSTER_KAFKA_CONTROLLER_PORT:-19195}"
  "RSVP_CASSANDRA_PORT=${RSVP_CLUSTER_CASSANDRA_PORT:-19042}"
  "RSVP_CASSANDRA_STORAGE_PORT=${RSVP_CLUSTER_CASSANDRA_STORAGE_PORT:-17300}"
  "RSVP_CASSANDRA_JMX_PORT=${RSVP_CLUSTER_CASSANDRA_JMX_PORT:-17310}"
)
cluster_stack() { env "${cluster_env[@]}" tsx stack/src/cli.ts "$@" --nodes 3; }

stop_plain=no
stop_secured=no
stop_cluster=no
if ! tsx stack/src/cli.ts status >/dev/null 2>&1; then stop_plain=yes; fi
if ! tsx stack/src/cli.ts status --secured >/dev/null 2>&1; then stop_secured=yes; fi
if ! cluster_stack status >/dev/null 2>&1; then stop_cluster=yes; fi
stop_one_node() {
  if [ "$stop_secured" = yes ]; then tsx stack/src/cli.ts down --secured || true; fi
  if [ "$stop_plain" = yes ]; then tsx stack/src/cli.ts down || true; fi
  stop_secured=no
  stop_plain=no
}
stop_cluster_now() {
  # After a timeout, a stack command of the killed test (a node restarting) may still hold the cluster's
  # lock for a while: try again until it is done (5 min at most).
  local out
  for _ in $(seq 1 60); do
    if out=$(cluster_stack down 2>&1); then
      echo "$out"
      return 0
    fi
    echo "$out"
    case "$out" in *"another stack command"*) sleep 5 ;; *) return 1 ;; esac
  done
  return 1
}
stop_started() {
  stop_one_node
  if [ "$stop_cluster" = yes ]; then stop_cluster_now || true; fi
}
trap stop_started EXIT
bash scripts/ensure-chromium.sh
tsx stack/src/cli.ts up
tsx stack/src/cli.ts up --secured
mkdir -p test-artifacts
rm -f test-artifacts/vitest.json test-artifacts/vitest-cluster.json
status=0
vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json || status=$?

stop_one_node
started=$(date +%s)
timeout --kill-after=30s "${RSVP_CLUSTER_TEST_LIMIT:-15m}" \
  vitest run --config vitest.cluster.config.ts --reporter=default --reporter=json \
  --outputFile.json=test-artifacts/vitest-cluster.json || status=$?
echo "cluster fault test: $(($(date +%s) - started)) s"

# One plain closing line that any CI can read (a suite that did not finish counts as one failure).
node -e 'const fs = require("node:fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const file of ["test-artifacts/vitest.json", "test-artifacts/vitest-cluster.json"]) {
    if (!fs.existsSync(file)) { failed++; console.log(`${file}: missing (the run did not finish)`); continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);'
exit "$status"
