#!/usr/bin/env bash
# Raccolta bench "compilazione": the compile page of the largest quadro of FC80U modulo B with every field filled
# (server time under 64 connections, HTML size raw and gzip), autosave throughput and p99 with 256 clients on
# distinct questionnaires against a bare upsert-and-commit loop on the same database, and the p99 of GET
# /questionari beside the autosave load; on SQLite and on PostgreSQL. Loopback only. See bench/README.md.
#
# Environment (all optional):
#   RACCOLTA_BIN                        server binary; when unset the script runs `cargo build --release -p raccolta`
#   CARGO_TARGET_DIR                    default $HOME/.cache/raccolta-target (the load driver is built there too)
#   RACCOLTA_BENCH_POSTGRES_URL         default postgres://postgres@127.0.0.1:5432 (a database is created and
#                                       dropped); empty: SQLite only
#   RACCOLTA_BENCH_DURATION             seconds of each measured load (default 10)
#   RACCOLTA_BENCH_WARMUP               seconds of load before each measurement (default 2)
#   RACCOLTA_BENCH_CONNECTIONS          connections of the render load (default 64)
#   RACCOLTA_BENCH_CLIENTS              autosave clients, one questionnaire each (default 256)
#   RACCOLTA_BENCH_READERS              clients reading GET /questionari beside the autosave (default 8)
#   RACCOLTA_BENCH_READER_INTERVAL_MS   each reader's pace (default 50 ms: 20 requests/s each)
#   RACCOLTA_BENCH_SEQUENTIAL           requests of each kind measured one at a time (default 200)
#   RACCOLTA_BENCH_PACED_PERCENT        the paced autosave's rate, % of the closed loop's throughput (default 50)
#   RACCOLTA_BENCH_INVII                schede sent beside the paced autosave (default 64)
#   RACCOLTA_BENCH_BUILD_WAIT           seconds to keep retrying a failing build (default 600)
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/raccolta-target}"
PG="${RACCOLTA_BENCH_POSTGRES_URL-postgres://postgres@127.0.0.1:5432}"
PG="${PG%/}"
DURATION="${RACCOLTA_BENCH_DURATION:-10}"; DURATION="${DURATION%s}"
WARMUP="${RACCOLTA_BENCH_WARMUP:-2}"; WARMUP="${WARMUP%s}"
CONNS="${RACCOLTA_BENCH_CONNECTIONS:-64}"
CLIENTS="${RACCOLTA_BENCH_CLIENTS:-256}"
READERS="${RACCOLTA_BENCH_READERS:-8}"
READER_INTERVAL="${RACCOLTA_BENCH_READER_INTERVAL_MS:-50}"
SEQUENTIAL="${RACCOLTA_BENCH_SEQUENTIAL:-200}"
PACED="${RACCOLTA_BENCH_PACED_PERCENT:-50}"
INVII="${RACCOLTA_BENCH_INVII:-64}"
BUILD_WAIT="${RACCOLTA_BENCH_BUILD_WAIT:-600}"
HOST=127.0.0.1
CAPTCHA=PROVA7

log() { printf '[compilazione] %s\n' "$*" >&2; }
WORK="$(mktemp -d -t raccolta-bench-compilazione.XXXXXX)"
SERVER_PID=""
PG_DB=""
# shellcheck source=bench/comune.sh
source "$ROOT/bench/comune.sh"

for v in DURATION WARMUP CONNS CLIENTS READERS READER_INTERVAL SEQUENTIAL; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v=${!v}: serve un numero intero"
done
(( CLIENTS >= 2 && DURATION >= 1 )) || die "servono almeno 2 client e 1 s di misura"

cleanup() {
    stop_server_quietly
    if [[ -n "$PG_DB" ]]; then
        psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

need_pkg curl curl
need_pkg python3 python3
[[ -z "$PG" ]] || need_pkg psql postgresql-client

T_START="$(date +%s)"

# ---------------------------------------------------------------- binaries
prepara_binario
# A copy: building the driver below links the crate's binary again (with the test-only dependencies' features)
# at the same path.
cp "$BIN" "$WORK/raccolta"
SERVER_BIN="$WORK/raccolta"
log "server: $BIN"

# The load driver: crates/raccolta/benches/compilazione.rs, built as a bench target (release profile).
deadline=$(( $(date +%s) + BUILD_WAIT ))
attempt=1
until (cd "$ROOT" && cargo build --release -p raccolta --bench compilazione --message-format=json-render-diagnostics) \
        >"$WORK/driver.json" 2>"$WORK/driver.log"; do
    if (( $(date +%s) >= deadline )); then
        tail -n 40 "$WORK/driver.log" >&2
        grep -v '^{' "$WORK/driver.json" | tail -n 40 >&2 || true
        die "build del driver (cargo build --release -p raccolta --bench compilazione) fallisce ancora dopo ${BUILD_WAIT}s"
    fi
    log "build del driver fallita (tentativo $attempt): riprovo fra 60 s"
    attempt=$((attempt + 1))
    sleep 60
done
DRIVER="$(python3 - "$WORK/driver.json" <<'EOF'
import json, sys
exe = ""
for line in open(sys.argv[1]):
    try:
        m = json.loads(line)
    except ValueError:
        continue
    t = m.get("target") or {}
    if m.get("reason") == "compiler-artifact" and t.get("name") == "compilazione" and "bench" in t.get("kind", []):
        exe = m.get("executable") or exe
print(exe)
EOF
)"
[[ -n "$DRIVER" && -x "$DRIVER" ]] || die "eseguibile del driver non trovato nell'output di cargo"
log "driver: $DRIVER"
T_BUILT="$(date +%s)"

# ---------------------------------------------------------------- enti
# Comuni for every user, from the IPA-like generator (about 96 % of its rows are comuni).
ROWS=$(( (CLIENTS + READERS) * 110 / 100 + 50 ))
python3 "$ROOT/bench/genera-enti.py" "$ROWS" >"$WORK/enti.csv"

# ---------------------------------------------------------------- one backend
# start_server URL DIR: the server on database URL, demo mode (the open campaigns are open today), captcha test
# answer, 127.0.0.1 trusted as the proxy (each user logs in from its own X-Forwarded-For address); sets
# SERVER_PID, BASE, SERVER_LOG.
start_server() {
    local url="$1" dir="$2" t0 code port
    mkdir -p "$dir"
    port="$(free_port)"
    BASE="http://$HOST:$port"
    SERVER_LOG="$dir/server.log"
    t0="$(date +%s)"
    # Clean environment (no stray RACCOLTA_* from the caller, no SMTP); cwd = temp dir, so no raccolta.toml.
    (cd "$dir" && exec env -i PATH="$PATH" HOME="$HOME" \
        RACCOLTA_DATABASE_URL="$url" \
        RACCOLTA_DATA_DIR="$dir/data" \
        RACCOLTA_LISTEN="$HOST:$port" \
        RACCOLTA_BASE_URL="$BASE" \
        RACCOLTA_DEMO=true \
        RACCOLTA_CAPTCHA_TEST_ANSWER="$CAPTCHA" \
        RACCOLTA_TRUSTED_PROXIES=127.0.0.1 \
        RACCOLTA_LOG=warn \
        "$SERVER_BIN" serve) 2>"$SERVER_LOG" >/dev/null &
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
        if (( $(date +%s) - t0 > 60 )); then
            tail -n 30 "$SERVER_LOG" >&2
            die "/readyz non risponde 200 entro 60 s (ultimo codice: $code)"
        fi
        sleep 0.05
    done
}

# stop_server: SIGTERM, wait, sets EXIT_CODE.
stop_server() {
    local pid="$SERVER_PID" i
    kill -TERM "$pid"
    for i in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then
        log "il server non termina entro 30 s da SIGTERM: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    EXIT_CODE=0
    wait "$pid" || EXIT_CODE=$?
    SERVER_PID=""
}

FAIL=0
RESULTS=()
EXITS=()
LOADAVGS=()

# misura LABEL URL: imports the enti, starts the server, runs the driver, stops the server.
misura() {
    local label="$1" url="$2" dir="$WORK/$1" rc
    mkdir -p "$dir"
    log "== $label =="
    (cd "$dir" && env -i PATH="$PATH" HOME="$HOME" RACCOLTA_DATABASE_URL="$url" RACCOLTA_LOG=warn \
        "$SERVER_BIN" enti import "$WORK/enti.csv") >"$dir/import.txt" 2>&1 \
        || { cat "$dir/import.txt" >&2; die "$label: import degli enti fallito"; }
    start_server "$url" "$dir"
    log "$label: server pid $SERVER_PID, $BASE"
    LOADAVGS+=("$(cut -d' ' -f1-3 /proc/loadavg)")
    rc=0
    (cd "$dir" && env -i PATH="$PATH" HOME="$HOME" "$DRIVER" \
        --base "$BASE" --database-url "$url" --backend "$label" --server-pid "$SERVER_PID" \
        --clients "$CLIENTS" --readers "$READERS" --reader-interval-ms "$READER_INTERVAL" \
        --render-connections "$CONNS" --duration "$DURATION" --warmup "$WARMUP" --sequential "$SEQUENTIAL" --paced-percent "$PACED" --invii "$INVII" \
        --out "$dir/risultato.json") || rc=$?
    stop_server
    EXITS+=("$EXIT_CODE")
    (( EXIT_CODE == 0 )) || { log "$label: exit code $EXIT_CODE dopo SIGTERM"; tail -n 20 "$SERVER_LOG" >&2; FAIL=1; }
    # WARN/ERROR lines, except the expected ones (captcha test answer, demo accounts).
    grep -E 'WARN|ERROR|panick' "$SERVER_LOG" | grep -vE 'CAPTCHA_TEST_ANSWER|modalità dimostrativa' \
        >"$dir/log-warn.txt" || true
    if [[ -s "$dir/log-warn.txt" ]]; then
        log "$label: il server ha scritto $(wc -l <"$dir/log-warn.txt") righe WARN/ERROR; le ultime:"
        tail -n 5 "$dir/log-warn.txt" | cut -c1-400 >&2
    fi
    (( rc == 0 )) || die "$label: il driver è uscito con $rc"
    RESULTS+=("$dir/risultato.json")
}

misura sqlite "sqlite://$WORK/sqlite/raccolta.db"
if [[ -n "$PG" ]]; then
    psql -q "$PG/postgres" -c "SELECT 1" >/dev/null 2>&1 \
        || die "PostgreSQL non risponde su $PG (RACCOLTA_BENCH_POSTGRES_URL= per misurare solo SQLite)"
    PG_DB="raccolta_bench_$$"
    psql -q "$PG/postgres" -c "CREATE DATABASE $PG_DB" >/dev/null
    misura postgres "$PG/$PG_DB"
    psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
    PG_DB=""
fi
T_END="$(date +%s)"

# ---------------------------------------------------------------- summary
python3 - "$(IFS=,; echo "${EXITS[*]}")" "$(IFS=,; echo "${LOADAVGS[*]}")" \
    "$((T_BUILT - T_START))" "$((T_END - T_BUILT))" "$("$SERVER_BIN" --version 2>/dev/null || echo raccolta)" \
    "$(nproc)" "${RESULTS[@]}" <<'EOF'
import json, math, sys

exits, loadavgs = sys.argv[1].split(","), sys.argv[2].split(",")
build_s, run_s, version, cpus = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
runs = [json.load(open(p)) for p in sys.argv[7:]]

def f(x, d=1):
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{d}f}"

def pool(p):
    if not p or not p.get("samples"):
        return "n/a"
    return (f"{f(p['in_use'], 1)} of {f(p['open'], 1)} connections in use on average, none idle in "
            f"{p['samples_none_idle']} of {p['samples']} samples (GET /metrics every 200 ms)")

def goal(ok):
    return "PASS" if ok else "MISS"

W = 44
def line(label, text):
    print(f"{label:<{W}}: {text}")

print()
print("== Raccolta bench: compilazione ==")
for r, code, load in zip(runs, exits, loadavgs):
    b = r["backend"]
    s, rd, a, m = r["setup"], r["render"], r["autosave"], r["autosave_with_readers"]
    bare, btx, seq = r["bare"], r["bare_tx"], r["sequential"]
    print(f"-- {'SQLite' if b == 'sqlite' else 'PostgreSQL'} --")
    quadri = ", ".join(f"{q['quadro']} {q['fields']} fields {q['bytes']:,} B" for q in rd["per_quadro"])
    line("FC80U B filled", f"{s['fields_filled']} non-calculated fields of {s['fields']} by autosave in "
         f"{f(s['fill_seconds'])} s ({f(s['fill_per_s'], 0)} saves/s, one client); quadri: {quadri}")
    ok1 = rd["server_p50"] <= 20 and rd["server_p99"] <= 50 and rd["errors"] == 0
    line(f"1. render quadro {rd['quadro']} ({rd['fields']} fields)",
         f"server median {f(rd['server_p50'], 2)} ms (goal <= 20), p99 {f(rd['server_p99'], 2)} ms (goal <= 50) "
         f"{goal(ok1)}")
    line("   throughput", f"{f(rd['per_s'], 0)} req/s, {rd['connections']} connections, client p50 "
         f"{f(rd['client_p50'], 1)} ms, p99 {f(rd['client_p99'], 1)} ms, {rd['errors']} errors; server "
         f"{f(rd['cpu']['server_cores'], 2)} cores, {f(rd['cpu']['server_ms_per_request'], 2)} ms CPU/page")
    line("   closed loop", f"{rd['connections']} connections / {f(rd['per_s'], 0)} req/s = {f(1e3 * rd['connections'] / rd['per_s'], 1)} ms "
         f"mean latency (Little); a 20 ms median needs about {rd['connections'] * 50:,} pages/s")
    line("   server's pool", pool(rd["pool"]))
    line("   HTML size", f"{rd['html_bytes']:,} B raw, {rd['gzip_bytes']:,} B gzip "
         f"({f(100 * rd['gzip_bytes'] / rd['html_bytes'], 1)} %, Content-Encoding: {rd['gzip_encoding'] or 'none'})")
    ratio = a["per_s"] / bare["per_s"] if bare["per_s"] else float("nan")
    ok2r = ratio >= 0.7
    ok2p = a["server_p99"] <= 25 and a["errors"] == 0
    pa = r["autosave_paced"]
    ok2p = pa["server_p99"] <= 25 and pa["errors"] == 0
    line(f"2. autosave, {r['clients']} clients", f"closed loop (each client saves again when answered): "
         f"{f(a['per_s'], 0)} saves/s, server p50 {f(a['server_p50'], 2)} ms, p99 {f(a['server_p99'], 2)} ms; "
         f"client p99 {f(a['client_p99'], 1)} ms; {a['errors']} errors, {a['conflicts']} conflicts")
    line("   closed loop", f"{r['clients']} clients / {f(a['per_s'], 0)} saves/s = {f(1e3 * r['clients'] / a['per_s'], 1)} ms "
         f"mean latency (Little): a queue's length, not a save's time; a 25 ms p99 in a closed loop would need "
         f"more than {r['clients'] * 40:,} saves/s")
    line(f"   paced, {pa['percent_of_closed_loop']} % of that", f"{r['clients']} clients at {f(pa['target_per_s'], 0)} saves/s "
         f"in all ({f(pa['per_s'], 0)} answered/s): server p50 {f(pa['server_p50'], 2)} ms, p99 "
         f"{f(pa['server_p99'], 2)} ms (goal <= 25) {goal(ok2p)}; client p99 {f(pa['client_p99'], 1)} ms; "
         f"{pa['errors']} errors")
    pr = pa.get("readers")
    if pr:
        line("   GET /questionari beside it", f"server p50 {f(pr['server_p50'], 2)} ms, p99 {f(pr['server_p99'], 2)} ms "
             f"(goal <= 5) {goal(pr['server_p99'] <= 5 and pr['errors'] == 0)}, {pr['errors']} errors")
    iv = r.get("invio")
    if iv and iv.get("invii"):
        ii = iv["invii"]
        line(f"4. invio beside the paced autosave", f"{ii['requests']} invii (POST /questionari/{{id}}/invio, one "
             f"transaction each: snapshot, hash, protocol number, audit, notifications, e-mails): server p50 "
             f"{f(ii['server_p50'], 2)} ms, p99 {f(ii['server_p99'], 2)} ms, {ii['errors']} failed; autosave "
             f"meanwhile {f(iv['per_s'], 0)} saves/s, p99 {f(iv['server_p99'], 2)} ms")
    line("   server's pool", pool(a["pool"]))
    line("   bare BEGIN; scrivi; COMMIT", f"{f(bare['per_s'], 0)} commits/s, p50 {f(bare['server_p50'], 2)} ms, "
         f"p99 {f(bare['server_p99'], 2)} ms, {bare['errors']} errors ({r['clients']} tasks, server's pool settings)")
    line("   ratio autosave/bare", f"{f(ratio, 2)} (goal >= 0.7) {goal(ok2r)}")
    line("   bare, the autosave's transaction", f"{f(btx['per_s'], 0)} commits/s, p50 {f(btx['server_p50'], 2)} ms, "
         f"p99 {f(btx['server_p99'], 2)} ms (row locked, revision moved, scrivi); autosave/this "
         f"{f(a['per_s'] / btx['per_s'] if btx['per_s'] else float('nan'), 2)}")
    c = a["cpu"]
    pgc = f", postgres {f(c['postgres_cores'], 2)} cores ({f(c['postgres_ms_per_request'], 2)} ms/save)" if b == "postgres" else ""
    line("   CPU during autosave", f"server {f(c['server_cores'], 2)} cores ({f(c['server_ms_per_request'], 2)} ms/save)"
         f"{pgc}, driver {f(c['driver_cores'], 2)} cores; machine {f(100 * c['machine_busy'], 0)} % busy")
    cb = bare["cpu"]
    pgb = f", postgres {f(cb['postgres_cores'], 2)} cores ({f(cb['postgres_ms_per_request'], 2)} ms/commit)" if b == "postgres" else ""
    line("   CPU during bare", f"driver {f(cb['driver_cores'], 2)} cores ({f(cb['driver_ms_per_request'], 2)} ms/commit)"
         f"{pgb}; machine {f(100 * cb['machine_busy'], 0)} % busy")
    rr = m["readers"]
    ok3 = rr["server_p99"] <= 5 and rr["errors"] == 0
    line(f"3. GET /questionari beside the autosave", f"server p50 {f(rr['server_p50'], 2)} ms, p99 "
         f"{f(rr['server_p99'], 2)} ms (goal <= 5) {goal(ok3)}; {f(rr['per_s'], 0)} req/s from {rr['clients']} "
         f"clients every {rr['interval_ms']} ms, client p99 {f(rr['client_p99'], 1)} ms, {rr['errors']} errors")
    line("   autosave meanwhile", f"{f(m['per_s'], 0)} saves/s, server p99 {f(m['server_p99'], 2)} ms, {m['errors']} errors")
    line("   server's pool meanwhile", pool(m["pool"]))
    x = lambda k: "" if seq[k].get("xact_per_request") is None else f", {f(seq[k]['xact_per_request'], 1)} transactions"
    line(f"one client alone (median of {seq['n']})",
         f"autosave {f(seq['autosave']['server_p50'], 2)} ms{x('autosave')}; GET /questionari "
         f"{f(seq['elenco']['server_p50'], 2)} ms{x('elenco')}; compile page {f(seq['pagina']['server_p50'], 2)} ms"
         f"{x('pagina')}; bare {f(seq['bare']['p50'], 2)} ms, autosave's transaction {f(seq['bare_tx']['p50'], 2)} ms")
    # Where the time goes, from the figures above.
    sa, st = seq["autosave"]["server_p50"], seq["bare_tx"]["p50"]
    xa = seq["autosave"].get("xact_per_request")
    line("where the time goes: one autosave alone",
         f"{f(sa, 2)} ms, of which its transaction alone takes {f(st, 2)} ms: {f(sa - st, 2)} ms outside it "
         + (f"({f(xa, 1)} transactions committed per save: " if xa is not None else "(")
         + "4 statements on the pool before the transaction (session, user, questionnaire, the guard), then "
         "BEGIN, row lock, revision, 2 writes, COMMIT; on SQLite the transaction is shared with the saves queued "
         "meanwhile)")
    ap = a["pool"] or {}
    saturo = ap.get("samples") and ap["samples_none_idle"] >= 0.5 * ap["samples"]
    attesa = ("waiting for one of the pool's connections (none idle in most samples) at each of the 5 acquisitions, "
              "and for the CPU") if saturo else "waiting for the CPU and the database (the pool had idle connections)"
    line("   under load", f"autosave {f(a['server_p50'], 1)} ms median vs its transaction alone in the bare loop "
         f"{f(btx['server_p50'], 1)} ms: the rest is {attesa} ({f(c['server_ms_per_request'], 2)} ms server CPU per save"
         + (f" + {f(c['postgres_ms_per_request'], 2)} ms in postgres vs {f(cb['postgres_ms_per_request'], 2)} per bare commit" if b == "postgres" else "")
         + ")")
    line("   the reader", f"GET /questionari takes {f(seq['elenco']['server_p50'], 2)} ms alone "
         f"({'' if seq['elenco'].get('xact_per_request') is None else f(seq['elenco']['xact_per_request'], 1) + ' transactions, '}"
         f"session, user, questionnaires, header) and {f(rr['server_p50'], 1)} ms median beside the autosave"
         + (": it queues for the same pool" if saturo else ""))
    line("server exit code", f"{code} after SIGTERM; loadavg {load} before; driver run {f(r['seconds'], 0)} s "
         f"(users {f(s['users_seconds'], 1)} s, logins {f(s['logins_seconds'], 1)} s)")
print(f"{'setup':<{W}}: {cpus} CPU, {version}, release build; server times from Server-Timing (app;dur), "
      f"each load measured {runs[0]['render']['seconds']:.0f} s after a warm-up; build {build_s} s, measurements "
      f"{run_s} s")
EOF
exit "$FAIL"
