#!/usr/bin/env bash
# Raccolta bench "enti": `raccolta enti import` of 8,000 IPA rows (time and peak memory; goal < 5 s, < 100 MB),
# the re-import of the same file, and the server time of the autocomplete /enti/cerca over those enti
# (p99 of the Server-Timing figure; goal < 5 ms). SQLite, and PostgreSQL too when RACCOLTA_BENCH_POSTGRES_URL
# names a server where a database may be created. Loopback only. See bench/README.md.
#
# Environment (all optional):
#   RACCOLTA_BIN                 binary to run; when unset the script runs `cargo build --release -p raccolta`
#   CARGO_TARGET_DIR             default $HOME/.cache/raccolta-target
#   RACCOLTA_BENCH_ROWS          rows of the generated file (default 8000)
#   RACCOLTA_BENCH_SEARCHES      autocomplete requests measured (default 3000)
#   RACCOLTA_BENCH_POSTGRES_URL  e.g. postgres://postgres@127.0.0.1:5432 (a database is created and dropped)
#   RACCOLTA_BENCH_BUILD_WAIT    seconds to keep retrying a failing build (default 600)
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/raccolta-target}"
ROWS="${RACCOLTA_BENCH_ROWS:-8000}"
SEARCHES="${RACCOLTA_BENCH_SEARCHES:-3000}"
BUILD_WAIT="${RACCOLTA_BENCH_BUILD_WAIT:-600}"
PG="${RACCOLTA_BENCH_POSTGRES_URL:-}"

log() { printf '[enti] %s\n' "$*" >&2; }
WORK="$(mktemp -d)"
SERVER_PID=""
PG_DB=""
# shellcheck source=bench/comune.sh
source "$ROOT/bench/comune.sh"
cleanup() {
    stop_server_quietly
    [[ -n "$PG_DB" ]] && psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT
need_pkg /usr/bin/time time

prepara_binario
python3 "$ROOT/bench/genera-enti.py" "$ROWS" > "$WORK/enti.csv"
log "file: $ROWS righe, $(wc -c < "$WORK/enti.csv") byte"

# import URL LABEL: runs the import twice, printing wall time and peak RSS of each run.
import() {
    local url="$1" label="$2" run out
    for run in "import" "re-import"; do
        out="$WORK/time.txt"
        RACCOLTA_DATABASE_URL="$url" RACCOLTA_LOG=warn /usr/bin/time -f '%e %M' -o "$out" \
            "$BIN" enti import "$WORK/enti.csv" > "$WORK/report.txt" 2>"$WORK/import.err" \
            || { cat "$WORK/import.err" >&2; die "import fallito"; }
        read -r secs kb < "$out"
        printf '%-28s: %6.2f s, peak RSS %5.1f MB   (%s)\n' "$label $run" "$secs" "$(echo "$kb / 1024" | bc -l)" \
            "$(grep -E 'inseriti|invariati' "$WORK/report.txt" | tr -s ' ' | tr '\n' ' ')"
    done
}

import "sqlite:$WORK/enti.db" "SQLite"
if [[ -n "$PG" ]]; then
    PG_DB="raccolta_bench_$$"
    psql -q "$PG/postgres" -c "CREATE DATABASE $PG_DB" >/dev/null
    import "$PG/$PG_DB" "PostgreSQL"
fi

search() {
    local url="$1" label="$2" port
    port="$(free_port)"
    RACCOLTA_DATABASE_URL="$url" RACCOLTA_LISTEN="127.0.0.1:$port" RACCOLTA_BASE_URL="http://127.0.0.1:$port" \
        RACCOLTA_LOG=warn "$BIN" serve >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
    python3 - "$port" "$SEARCHES" "$label" <<'PY'
import http.client, random, sys, time
port, n, label = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
words = ["comune", "san", "monte", "citta", "forli", "cantu", "reno", "sant angelo", "valle", "lago", "provincia",
         "castel", "borgo", "villa", "rocca", "colle", "marina", "po", "tevere", "ossola", "di monte", "pieve"]
rnd = random.Random(7)
conn = http.client.HTTPConnection("127.0.0.1", port)
server, client = [], []
for i in range(n + 200):
    q = rnd.choice(words) + ("" if rnd.random() < 0.5 else " " + str(rnd.randint(1, 7999)))
    tipo = "" if rnd.random() < 0.7 else rnd.choice(["comune", "provincia", "unione_comuni"])
    path = "/enti/cerca?" + "q=" + q.replace(" ", "%20") + "&tipo=" + tipo
    t = time.perf_counter()
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    dt = (time.perf_counter() - t) * 1000
    if r.status != 200:
        sys.exit(f"{path}: {r.status}")
    st = r.getheader("server-timing")
    if i >= 200:  # warm-up excluded
        server.append(float(st.split("dur=")[1]))
        client.append(dt)
def p(xs, q):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(len(xs) * q))]
print(f"{label + ' /enti/cerca':<28}: server p50 {p(server, .5):.2f} ms, p99 {p(server, .99):.2f} ms "
      f"(goal < 5 ms); client p99 {p(client, .99):.2f} ms; {n} requests")
PY
    stop_server_quietly
}

search "sqlite:$WORK/enti.db" "SQLite"
[[ -n "$PG" ]] && search "$PG/$PG_DB" "PostgreSQL"
exit 0
