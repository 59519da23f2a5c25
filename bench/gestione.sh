#!/usr/bin/env bash
# Gestione at national scale (issue 13): load data of 8,000 enti, 30,000 users and FC80U 2022 in every state (a
# fully filled modulo B for a third of the enti), then the monitoring page's server time (goal ≤ 100 ms) under four
# filters, its CSV and XLSX exports, and the peak RSS; on SQLite, and on PostgreSQL when it answers.
#   bench/gestione.sh
#   RACCOLTA_BENCH_ENTI=2000 RACCOLTA_BENCH_UTENTI=5000 RACCOLTA_BENCH_RUNS=50 bench/gestione.sh
#   RACCOLTA_BENCH_POSTGRES_URL= bench/gestione.sh          # SQLite only
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/raccolta-target}"
if [ -z "${RACCOLTA_BENCH_POSTGRES_URL+x}" ] && psql -q postgres://postgres@127.0.0.1:5432/postgres -c 'SELECT 1' >/dev/null 2>&1; then
  export RACCOLTA_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432
fi
[ -n "${RACCOLTA_BENCH_POSTGRES_URL:-}" ] || unset RACCOLTA_BENCH_POSTGRES_URL
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cargo bench --locked -p raccolta --bench gestione
