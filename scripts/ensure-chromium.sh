#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (a test tool's own browser download fails on these machines).
# Installs it when missing and this runs as root; otherwise says what to install.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "the browser tests need /usr/bin/chromium: install Debian's 'chromium' package (apt-get install chromium)" >&2
  exit 1
fi
