#!/usr/bin/env bash
# The README's test command: installs what the tests need on a fresh machine, then runs the whole suite.
#   - Debian's Chromium (browser tests never download a browser) and poppler-utils (pdfinfo, pdftotext: the PDF tests
#     read what typst wrote);
#   - the npm packages pinned in package-lock.json (Bootstrap Italia, axe-core, playwright-core).
# Extra arguments go to `cargo test` (e.g. `scripts/test.sh -- postgres`).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "== installo Chromium e poppler-utils da Debian (test nel browser, lettura dei PDF)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

cargo test --workspace --locked "$@"
