#!/usr/bin/env bash
# `pnpm test`: every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
vitest run --project unit
