#!/usr/bin/env bash
# `pnpm test`: every test suite. The integration suites need the real Kafka and Cassandra, and the secured
# pair beside them (SASL_SSL Kafka, Cassandra with TLS and a password: `stack/src/cli.ts up --secured`):
# this starts both stacks (assembling the servers from Maven Central on the first run), and stops each at
# the end unless it was running before. The browser tests need Debian's Chromium, installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

stop_plain=no
stop_secured=no
if ! tsx stack/src/cli.ts status >/dev/null 2>&1; then stop_plain=yes; fi
if ! tsx stack/src/cli.ts status --secured >/dev/null 2>&1; then stop_secured=yes; fi
stop_started() {
  if [ "$stop_secured" = yes ]; then tsx stack/src/cli.ts down --secured || true; fi
  if [ "$stop_plain" = yes ]; then tsx stack/src/cli.ts down || true; fi
}
trap stop_started EXIT
bash scripts/ensure-chromium.sh
tsx stack/src/cli.ts up
tsx stack/src/cli.ts up --secured
mkdir -p test-artifacts
status=0
vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json || status=$?
# One plain closing line that any CI can read.
node -e 'const r = require("./test-artifacts/vitest.json");
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);'
exit "$status"
