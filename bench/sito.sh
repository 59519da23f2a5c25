#!/usr/bin/env bash
# Raccolta bench "sito": throughput and p99 of GET / against a static file of about the same size, time from
# exec to /readyz = 200 on a fresh SQLite database, idle RSS. Loopback only. See bench/README.md.
#
# Environment (all optional):
#   RACCOLTA_BIN                 binary to run; when unset the script runs `cargo build --release -p raccolta`
#   CARGO_TARGET_DIR             default $HOME/.cache/raccolta-target
#   RACCOLTA_BENCH_DURATION      wrk duration of each measured run (default 10s)
#   RACCOLTA_BENCH_CONNECTIONS   wrk connections (default 64)
#   RACCOLTA_BENCH_THREADS       wrk threads (default 2)
#   RACCOLTA_BENCH_READY_RUNS    exec -> /readyz runs (default 5)
#   RACCOLTA_BENCH_BUILD_WAIT    seconds to keep retrying a failing build (default 600)
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/raccolta-target}"
DURATION="${RACCOLTA_BENCH_DURATION:-10s}"
CONNS="${RACCOLTA_BENCH_CONNECTIONS:-64}"
THREADS="${RACCOLTA_BENCH_THREADS:-2}"
READY_RUNS="${RACCOLTA_BENCH_READY_RUNS:-5}"
BUILD_WAIT="${RACCOLTA_BENCH_BUILD_WAIT:-600}"
HOST=127.0.0.1

log() { printf '[sito] %s\n' "$*" >&2; }
# shellcheck source=bench/comune.sh
source "$ROOT/bench/comune.sh"

WORK="$(mktemp -d -t raccolta-bench-sito.XXXXXX)"
SERVER_PID=""
SERVER_LOG=""

cleanup() {
    stop_server_quietly
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- tools
need_pkg wrk wrk
need_pkg curl curl
need_pkg python3 python3

# ---------------------------------------------------------------- binary
prepara_binario
log "binario: $BIN"

# ---------------------------------------------------------------- helpers
now_ns() { date +%s%N; }

# start_server DIR: starts the binary on a fresh SQLite database in DIR; sets SERVER_PID, PORT, SERVER_LOG,
# READY_MS (exec -> first /readyz 200, polling every 5 ms).
start_server() {
    local dir="$1" t0 t1 code
    mkdir -p "$dir"
    PORT="$(free_port)"
    SERVER_LOG="$dir/server.log"
    t0="$(now_ns)"
    # Clean environment (no stray RACCOLTA_* from the caller); cwd = temp dir, so no raccolta.toml is read.
    (cd "$dir" && exec env -i PATH="$PATH" HOME="$HOME" \
        RACCOLTA_DATABASE_URL="sqlite://$dir/raccolta.db" \
        RACCOLTA_LISTEN="$HOST:$PORT" \
        RACCOLTA_LOG=warn \
        "$BIN" serve) 2>"$SERVER_LOG" >/dev/null &
    SERVER_PID=$!
    while :; do
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://$HOST:$PORT/readyz" || true)"
        if [[ "$code" == 200 ]]; then t1="$(now_ns)"; break; fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" 2>/dev/null || true
            tail -n 30 "$SERVER_LOG" >&2
            SERVER_PID=""
            die "il server è terminato prima di essere pronto"
        fi
        if (( ($(now_ns) - t0) / 1000000 > 30000 )); then
            tail -n 30 "$SERVER_LOG" >&2
            die "/readyz non risponde 200 entro 30 s (ultimo codice: $code)"
        fi
        sleep 0.005
    done
    READY_MS="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", (b - a) / 1e6 }')"
}

# stop_server: SIGTERM, wait, sets EXIT_CODE.
stop_server() {
    local pid="$SERVER_PID" i
    kill -TERM "$pid"
    for i in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then
        log "il server non termina entro 15 s da SIGTERM: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    EXIT_CODE=0
    wait "$pid" || EXIT_CODE=$?
    SERVER_PID=""
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
kb_to_mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# run_wrk URL OUTFILE: warm-up 2 s, then the measured run; sets RPS and P99_MS.
run_wrk() {
    local url="$1" out="$2"
    wrk -t"$THREADS" -c"$CONNS" -d2s "$url" >/dev/null
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$url" >"$out"
    cat "$out" >&2
    RPS="$(awk '$1 == "Requests/sec:" { print $2 }' "$out")"
    # First "99%" line after "Latency Distribution": value with unit us / ms / s / m / h.
    P99_MS="$(awk '
        /Latency Distribution/ { in_dist = 1; next }
        in_dist && $1 == "99%" {
            v = $2; n = v; sub(/[a-z]+$/, "", n); u = substr(v, length(n) + 1)
            f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
            if (f < 0) exit 1
            printf "%.2f", n * f; exit
        }' "$out")"
    [[ -n "$RPS" && -n "$P99_MS" ]] || die "output di wrk non riconosciuto ($out)"
    if grep -qE 'Non-2xx or 3xx responses|Socket errors' "$out"; then
        log "ATTENZIONE: wrk segnala errori o risposte non 2xx/3xx per $url:"
        grep -E 'Non-2xx or 3xx responses|Socket errors' "$out" >&2
        WRK_WARN=1
    fi
}

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.0f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

FAIL=0
WRK_WARN=0

# ---------------------------------------------------------------- 3. exec -> /readyz
READY_LIST=()
for i in $(seq 1 "$READY_RUNS"); do
    start_server "$WORK/ready-$i"
    READY_LIST+=("$READY_MS")
    stop_server
    log "run $i: exec -> /readyz 200 in ${READY_MS} ms (exit code $EXIT_CODE)"
    (( EXIT_CODE == 0 )) || { log "exit code $EXIT_CODE dopo SIGTERM"; tail -n 20 "$WORK/ready-$i/server.log" >&2; FAIL=1; }
    rm -rf "$WORK/ready-$i"
done
READY_MEDIAN="$(median "${READY_LIST[@]}")"
READY_RUNS_TXT="$(IFS=,; echo "${READY_LIST[*]}" | sed 's/,/, /g')"

# ---------------------------------------------------------------- server under load
start_server "$WORK/load"
log "server per il carico: pid $SERVER_PID, porta $PORT, pronto in ${READY_MS} ms"
sleep 1
RSS_START_KB="$(rss_kb "$SERVER_PID")"

# Body of / (no Accept-Encoding: curl sends none without --compressed).
read -r HOME_CODE HOME_SIZE < <(curl -s -o "$WORK/home.html" -w '%{http_code} %{size_download}\n' "http://$HOST:$PORT/")
[[ "$HOME_CODE" == 200 ]] || die "GET / risponde $HOME_CODE"

# Candidate static files, with the URL the binary serves them at.
CANDIDATES="$WORK/candidates.txt"
: >"$CANDIDATES"
OWN="$ROOT/crates/raccolta/static"
BI="$ROOT/node_modules/bootstrap-italia/dist"
if [[ -d "$OWN" ]]; then
    (cd "$OWN" && find . -type f -printf '%s /static/%P\n') >>"$CANDIDATES"
fi
if [[ -d "$BI" ]]; then
    (cd "$BI" && for f in css/bootstrap-italia.min.css js/bootstrap-italia.bundle.min.js svg/sprites.svg fonts/*/*.woff2; do
        [[ -f "$f" ]] && printf '%s /static/bi/%s\n' "$(stat -c %s "$f")" "$f"
    done) >>"$CANDIDATES"
fi
[[ -s "$CANDIDATES" ]] || die "nessun file statico candidato trovato"
read -r STATIC_DISK STATIC_PATH < <(awk -v t="$HOME_SIZE" '
    { d = $1 - t; if (d < 0) d = -d; if (best == "" || d < bestd) { best = $0; bestd = d } }
    END { print best }' "$CANDIDATES")
log "GET / = $HOME_SIZE B; file statico più vicino: $STATIC_PATH ($STATIC_DISK B su disco)"
read -r STATIC_CODE STATIC_SIZE < <(curl -s -o /dev/null -w '%{http_code} %{size_download}\n' "http://$HOST:$PORT$STATIC_PATH")
[[ "$STATIC_CODE" == 200 ]] || die "GET $STATIC_PATH risponde $STATIC_CODE (il binario non lo incorpora?)"
[[ "$STATIC_SIZE" == "$STATIC_DISK" ]] || log "ATTENZIONE: $STATIC_PATH servito con $STATIC_SIZE B, su disco $STATIC_DISK B"

# ---------------------------------------------------------------- 1, 2. load
LOADAVG_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "wrk GET / ($THREADS thread, $CONNS connessioni, $DURATION)"
run_wrk "http://$HOST:$PORT/" "$WORK/wrk-home.txt"
HOME_RPS="$RPS"; HOME_P99="$P99_MS"
log "wrk GET $STATIC_PATH"
run_wrk "http://$HOST:$PORT$STATIC_PATH" "$WORK/wrk-static.txt"
STATIC_RPS="$RPS"; STATIC_P99="$P99_MS"
RATIO="$(awk -v a="$HOME_RPS" -v b="$STATIC_RPS" 'BEGIN { printf "%.2f", a / b }')"

sleep 1
RSS_LOAD_KB="$(rss_kb "$SERVER_PID")"
stop_server
LOAD_EXIT="$EXIT_CODE"
(( LOAD_EXIT == 0 )) || { tail -n 20 "$WORK/load/server.log" >&2; FAIL=1; }

# ---------------------------------------------------------------- summary
goal() { if awk "BEGIN { exit !($1) }"; then echo "ok"; else echo "NON RAGGIUNTO"; fi; }
G_RATIO="$(goal "$RATIO >= 0.5")"
G_READY="$(goal "$READY_MEDIAN < 1000")"
G_RSS="$(goal "$RSS_START_KB < 40960 && $RSS_LOAD_KB < 40960")"

echo
echo "== Raccolta bench: sito =="
printf '%-27s: %s req/s, p99 %s ms (body %s B)\n' "GET /" \
    "$(awk -v x="$HOME_RPS" 'BEGIN { printf "%.0f", x }')" "$HOME_P99" "$HOME_SIZE"
printf '%-27s: %s req/s, p99 %s ms (body %s B: %s)\n' "GET /static/..." \
    "$(awk -v x="$STATIC_RPS" 'BEGIN { printf "%.0f", x }')" "$STATIC_P99" "$STATIC_SIZE" "$STATIC_PATH"
printf '%-27s: %s (goal >= 0.5) %s\n' "ratio page/static" "$RATIO" "$G_RATIO"
printf '%-27s: median %s ms [runs: %s] (goal < 1000 ms) %s\n' "exec -> /readyz 200 (SQLite)" \
    "$READY_MEDIAN" "$READY_RUNS_TXT" "$G_READY"
printf '%-27s: %s MB after start, %s MB after load (goal < 40 MB) %s\n' "idle RSS" \
    "$(kb_to_mb "$RSS_START_KB")" "$(kb_to_mb "$RSS_LOAD_KB")" "$G_RSS"
printf '%-27s: %s after SIGTERM (readyz runs: all %s)\n' "server exit code" "$LOAD_EXIT" \
    "$([[ $FAIL == 0 ]] && echo 0 || echo 'NOT all 0')"
printf '%-27s: wrk -t%s -c%s -d%s --latency (+2 s warm-up), %s CPU, loadavg %s before load, %s, %s\n' "setup" \
    "$THREADS" "$CONNS" "$DURATION" "$(nproc)" "$LOADAVG_BEFORE" "$(wrk --version 2>&1 | head -n1 | awk '{ print $1, $2 }')" "$("$BIN" --version 2>/dev/null || echo raccolta)"
(( WRK_WARN == 0 )) || echo "ATTENZIONE: wrk ha segnalato errori o risposte non 2xx/3xx (vedi sopra)"
exit "$FAIL"
