#!/usr/bin/env bash
# Raccolta bench "accesso": logins per second the machine sustains, and p99 of GET / with and without a
# concurrent login storm (goal: storm <= 2x quiet). Loopback only. See bench/README.md.
#
# Environment (all optional):
#   RACCOLTA_BIN                    binary to run; when unset the script runs `cargo build --release -p raccolta`
#   CARGO_TARGET_DIR                default $HOME/.cache/raccolta-target
#   RACCOLTA_BENCH_DURATION         wrk duration of each measured run, in seconds (default 10)
#   RACCOLTA_BENCH_CONNECTIONS      wrk connections (default 16)
#   RACCOLTA_BENCH_THREADS          wrk threads (default 1)
#   RACCOLTA_BENCH_USERS            users registered for the storm (default 10; at most 20 per hour per IP)
#   RACCOLTA_BENCH_STORM_CLIENTS    concurrent login clients (default 32)
#   RACCOLTA_BENCH_STORM_SECONDS    storm duration (default 15)
#   RACCOLTA_BENCH_STORM_DELAY      seconds into the storm before wrk starts (default 3)
#   RACCOLTA_BENCH_BUILD_WAIT       seconds to keep retrying a failing build (default 600)
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/bench"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/raccolta-target}"
DURATION="${RACCOLTA_BENCH_DURATION:-10}"; DURATION="${DURATION%s}"
CONNS="${RACCOLTA_BENCH_CONNECTIONS:-16}"
THREADS="${RACCOLTA_BENCH_THREADS:-1}"
USERS="${RACCOLTA_BENCH_USERS:-10}"
STORM_CLIENTS="${RACCOLTA_BENCH_STORM_CLIENTS:-32}"
STORM_SECONDS="${RACCOLTA_BENCH_STORM_SECONDS:-15}"
STORM_DELAY="${RACCOLTA_BENCH_STORM_DELAY:-3}"
BUILD_WAIT="${RACCOLTA_BENCH_BUILD_WAIT:-600}"
HOST=127.0.0.1
CAPTCHA=PROVA7

log() { printf '[accesso] %s\n' "$*" >&2; }
# shellcheck source=bench/comune.sh
source "$ROOT/bench/comune.sh"

[[ "$DURATION" =~ ^[0-9]+$ && "$STORM_SECONDS" =~ ^[0-9]+$ && "$STORM_DELAY" =~ ^[0-9]+$ ]] \
    || die "RACCOLTA_BENCH_DURATION, _STORM_SECONDS e _STORM_DELAY vanno in secondi interi"
(( STORM_DELAY + DURATION + 1 <= STORM_SECONDS )) \
    || die "la tempesta ($STORM_SECONDS s) deve coprire ritardo ($STORM_DELAY s) + wrk ($DURATION s) + 1 s"

WORK="$(mktemp -d -t raccolta-bench-accesso.XXXXXX)"
SERVER_PID=""
STORM_PID=""

cleanup() {
    if [[ -n "$STORM_PID" ]] && kill -0 "$STORM_PID" 2>/dev/null; then
        kill -TERM "$STORM_PID" 2>/dev/null || true
        wait "$STORM_PID" 2>/dev/null || true
    fi
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
[[ -f "$HERE/accesso.py" ]] || die "manca $HERE/accesso.py"

# ---------------------------------------------------------------- binary
prepara_binario
log "binario: $BIN"

# ---------------------------------------------------------------- helpers
# start_server DIR: the binary on a fresh SQLite database in DIR, e-mail as .eml files under DIR/data/mail,
# captchas answered by $CAPTCHA; sets SERVER_PID, PORT, BASE, SERVER_LOG.
start_server() {
    local dir="$1" t0 code
    mkdir -p "$dir"
    PORT="$(free_port)"
    BASE="http://$HOST:$PORT"
    SERVER_LOG="$dir/server.log"
    t0="$(date +%s)"
    # Clean environment (no stray RACCOLTA_* from the caller, no SMTP); cwd = temp dir, so no raccolta.toml.
    (cd "$dir" && exec env -i PATH="$PATH" HOME="$HOME" \
        RACCOLTA_DATABASE_URL="sqlite://$dir/raccolta.db" \
        RACCOLTA_DATA_DIR="$dir/data" \
        RACCOLTA_LISTEN="$HOST:$PORT" \
        RACCOLTA_BASE_URL="$BASE" \
        RACCOLTA_CAPTCHA_TEST_ANSWER="$CAPTCHA" \
        RACCOLTA_TRUSTED_PROXIES=127.0.0.1 \
        RACCOLTA_LOG=warn \
        "$BIN" serve) 2>"$SERVER_LOG" >/dev/null &
    SERVER_PID=$!
    while :; do
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$BASE/readyz" || true)"
        [[ "$code" == 200 ]] && break
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            wait "$SERVER_PID" 2>/dev/null || true
            tail -n 30 "$SERVER_LOG" >&2
            SERVER_PID=""
            die "il server è terminato prima di essere pronto"
        fi
        if (( $(date +%s) - t0 > 30 )); then
            tail -n 30 "$SERVER_LOG" >&2
            die "/readyz non risponde 200 entro 30 s (ultimo codice: $code)"
        fi
        sleep 0.02
    done
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

# wrk_measure URL OUTFILE: the measured run (no warm-up); sets RPS and P99_MS.
wrk_measure() {
    local url="$1" out="$2"
    wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$url" >"$out"
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

FAIL=0
WRK_WARN=0

# ---------------------------------------------------------------- server and users
start_server "$WORK/srv"
log "server: pid $SERVER_PID, $BASE"
python3 "$HERE/accesso.py" utenti --base "$BASE" --mail-dir "$WORK/srv/data/mail" --n "$USERS" \
    --out "$WORK/utenti.json" || { tail -n 20 "$SERVER_LOG" >&2; die "creazione degli utenti fallita"; }

# ---------------------------------------------------------------- 1. quiet
LOADAVG_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
log "GET / a riposo: warm-up 2 s, poi wrk -t$THREADS -c$CONNS -d${DURATION}s"
wrk -t"$THREADS" -c"$CONNS" -d2s "$BASE/" >/dev/null
wrk_measure "$BASE/" "$WORK/wrk-quiet.txt"
QUIET_RPS="$RPS"; QUIET_P99="$P99_MS"
RSS_BEFORE_KB="$(rss_kb "$SERVER_PID")"

# ---------------------------------------------------------------- 2. storm
log "tempesta: $STORM_CLIENTS client per $STORM_SECONDS s; wrk su / da ${STORM_DELAY} s dopo l'inizio"
python3 "$HERE/accesso.py" tempesta --base "$BASE" --utenti "$WORK/utenti.json" --clients "$STORM_CLIENTS" \
    --duration "$STORM_SECONDS" --out "$WORK/tempesta.json" --started "$WORK/tempesta.start" \
    --finestra "$WORK/finestra.txt" &
STORM_PID=$!
for _ in $(seq 1 500); do
    [[ -f "$WORK/tempesta.start" ]] && break
    kill -0 "$STORM_PID" 2>/dev/null || break
    sleep 0.01
done
[[ -f "$WORK/tempesta.start" ]] || die "la tempesta non è partita"
sleep "$STORM_DELAY"
W0="$(date +%s.%N)"
wrk_measure "$BASE/" "$WORK/wrk-storm.txt"
W1="$(date +%s.%N)"
echo "$W0 $W1" >"$WORK/finestra.txt"
STORM_RPS="$RPS"; STORM_P99="$P99_MS"
STORM_RC=0
wait "$STORM_PID" || STORM_RC=$?
STORM_PID=""
(( STORM_RC == 0 )) || { log "accesso.py tempesta è uscito con $STORM_RC"; FAIL=1; }
[[ -s "$WORK/tempesta.json" ]] || die "risultato della tempesta assente"

sleep 1
RSS_AFTER_KB="$(rss_kb "$SERVER_PID")"
stop_server
SERVER_EXIT="$EXIT_CODE"
(( SERVER_EXIT == 0 )) || { log "exit code $SERVER_EXIT dopo SIGTERM"; tail -n 20 "$SERVER_LOG" >&2; FAIL=1; }
# WARN/ERROR lines, except the expected one about the captcha test answer.
grep -E 'WARN|ERROR|panick' "$SERVER_LOG" | grep -v 'CAPTCHA_TEST_ANSWER' >"$WORK/log-warn.txt" || true
LOG_LINES="$(wc -l <"$WORK/log-warn.txt")"
if (( LOG_LINES > 0 )); then
    log "il server ha scritto $LOG_LINES righe WARN/ERROR; le ultime:"
    tail -n 5 "$WORK/log-warn.txt" | cut -c1-400 >&2
fi

# Storm figures, one per line (numbers only).
{
    read -r LOGINS_OK; read -r LOGIN_FAILS; read -r LOGINS_PS; read -r LOGINS_PS_WRK; read -r WINDOW_S
    read -r POST_P50; read -r POST_P99; read -r CYCLE_P99; read -r GET_P99; read -r FAIL_KINDS; read -r PER_SECOND
} < <(python3 - "$WORK/tempesta.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
f = lambda v, fmt="%.0f": "n/a" if v is None else fmt % v
print(s["ok"]); print(s["failures"]); print(f(s["logins_per_s"], "%.1f")); print(f(s.get("logins_per_s_during_wrk"), "%.1f"))
print(f(s["window_s"], "%.1f"))
print(f(s["post_p50_ms"])); print(f(s["post_p99_ms"])); print(f(s["cycle_p99_ms"])); print(f(s["get_p99_ms"]))
print(", ".join(f"{k}: {v}" for k, v in s["failures_by_kind"].items()) or "-")
print(" ".join(str(x) for x in s["per_second"]))
EOF
)
(( LOGIN_FAILS == 0 )) || { log "accessi falliti: $LOGIN_FAILS ($FAIL_KINDS)"; FAIL=1; }
(( LOGINS_OK > 0 )) || { log "nessun accesso riuscito"; FAIL=1; }

# ---------------------------------------------------------------- summary
goal() { if awk "BEGIN { exit !($1) }"; then echo "ok"; else echo "NON RAGGIUNTO"; fi; }
RATIO="$(awk -v a="$STORM_P99" -v b="$QUIET_P99" 'BEGIN { printf "%.2f", a / b }')"
G_RATIO="$(goal "$RATIO <= 2")"
rps() { awk -v x="$1" 'BEGIN { printf "%.0f", x }'; }

echo
echo "== Raccolta bench: accesso =="
printf '%-28s: %s (%s clients, %s s, %s ok, %s failures%s); login p50 %s ms, p99 %s ms\n' "logins/s sustained" \
    "$LOGINS_PS" "$STORM_CLIENTS" "$WINDOW_S" "$LOGINS_OK" "$LOGIN_FAILS" \
    "$([[ $LOGIN_FAILS == 0 ]] || echo ": $FAIL_KINDS")" "$POST_P50" "$POST_P99"
printf '%-28s: %s while wrk ran on /; per second: %s\n' "logins/s under GET / load" "$LOGINS_PS_WRK" "$PER_SECOND"
printf '%-28s: GET /accesso p99 %s ms, GET + POST p99 %s ms\n' "login form + login" "$GET_P99" "$CYCLE_P99"
printf '%-28s: %s ms (%s req/s)\n' "GET / p99 quiet" "$QUIET_P99" "$(rps "$QUIET_RPS")"
printf '%-28s: %s ms (%s req/s)\n' "GET / p99 during the storm" "$STORM_P99" "$(rps "$STORM_RPS")"
printf '%-28s: %s (goal <= 2) %s\n' "ratio storm/quiet" "$RATIO" "$G_RATIO"
printf '%-28s: %s MB (%s MB before the storm)\n' "RSS after storm" "$(kb_to_mb "$RSS_AFTER_KB")" "$(kb_to_mb "$RSS_BEFORE_KB")"
printf '%-28s: %s after SIGTERM%s\n' "server exit code" "$SERVER_EXIT" \
    "$( (( LOG_LINES == 0 )) || echo ", $LOG_LINES WARN/ERROR log lines")"
printf '%-28s: wrk -t%s -c%s -d%ss --latency (quiet after a 2 s warm-up; storm run from %s s into the storm), %s users, %s CPU, loadavg %s before load, %s, %s\n' "setup" \
    "$THREADS" "$CONNS" "$DURATION" "$STORM_DELAY" "$USERS" "$(nproc)" "$LOADAVG_BEFORE" \
    "$(wrk --version 2>&1 | head -n1 | awk '{ print $1, $2 }')" "$("$BIN" --version 2>/dev/null || echo raccolta)"
(( WRK_WARN == 0 )) || echo "ATTENZIONE: wrk ha segnalato errori o risposte non 2xx/3xx (vedi sopra)"
(( LOGIN_FAILS == 0 )) || echo "ATTENZIONE: $LOGIN_FAILS accessi falliti ($FAIL_KINDS); vedi i campioni sopra"
exit "$FAIL"
