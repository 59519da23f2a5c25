#!/usr/bin/env bash
# The PDF timings (issue 12): the questionnaire PDF of a fully filled FC80U modulo B (goal ≤ 300 ms), of modulo A,
# and the receipt (goal ≤ 50 ms), typeset with the engine the server uses, in a release build.
#   bench/pdf.sh                         # 20 runs each after a first, cold one (the receipt 100)
#   RACCOLTA_BENCH_PDF_RUNS=50 bench/pdf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/raccolta-target}"
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench --locked -p raccolta --bench pdf
