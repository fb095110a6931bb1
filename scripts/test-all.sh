#!/usr/bin/env bash
# `pnpm test`: every test suite. The integration suites need the real Kafka and Cassandra: this starts
# them (assembling them from Maven Central on the first run), and stops them at the end unless they were
# all running before. The browser tests need Debian's Chromium, installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! tsx stack/src/cli.ts status >/dev/null 2>&1; then
  trap 'tsx stack/src/cli.ts down' EXIT
fi
bash scripts/ensure-chromium.sh
tsx stack/src/cli.ts up
mkdir -p test-artifacts
status=0
vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest.json || status=$?
# One plain closing line that any CI can read.
node -e 'const r = require("./test-artifacts/vitest.json");
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);'
exit "$status"
