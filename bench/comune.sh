# Shared by the bench scripts (sourced, not run). The caller defines `log`, and sets ROOT, WORK, BUILD_WAIT and
# SERVER_PID (empty when no server runs) before sourcing.

die() { log "ERRORE: $*"; exit 1; }

# Stops the server started by the script, if any: SIGTERM, then SIGKILL after 5 s.
stop_server_quietly() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
# need_pkg COMMAND PACKAGE: installs PACKAGE from Debian when COMMAND is missing.
need_pkg() { # command package
    command -v "$1" >/dev/null 2>&1 && return 0
    log "installo $2 (apt-get)"
    apt-get -o DPkg::Lock::Timeout=600 install -y "$2" >/dev/null \
        || { apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get -o DPkg::Lock::Timeout=600 install -y "$2" >/dev/null; } \
        || die "impossibile installare $2"
    command -v "$1" >/dev/null 2>&1 || die "$1 non disponibile dopo l'installazione di $2"
}
# prepara_binario: sets BIN to $RACCOLTA_BIN, or builds the release binary (running `npm ci` first when the
# front-end packages are missing), retrying a failing build for BUILD_WAIT seconds.
prepara_binario() {
    if [[ -n "${RACCOLTA_BIN:-}" ]]; then
        BIN="$RACCOLTA_BIN"
        [[ -x "$BIN" ]] || die "RACCOLTA_BIN=$BIN non è un eseguibile"
    else
        if [[ ! -d "$ROOT/node_modules/bootstrap-italia" ]]; then
            log "node_modules/bootstrap-italia assente: npm ci"
            (cd "$ROOT" && npm ci --no-audit --no-fund) >&2 || die "npm ci fallito"
        fi
        deadline=$(( $(date +%s) + BUILD_WAIT ))
        attempt=1
        until (cd "$ROOT" && cargo build --release -p raccolta) >"$WORK/build.log" 2>&1; do
            if (( $(date +%s) >= deadline )); then
                tail -n 40 "$WORK/build.log" >&2
                die "cargo build --release -p raccolta fallisce ancora dopo ${BUILD_WAIT}s"
            fi
            log "build fallita (tentativo $attempt; forse il codice è in modifica): riprovo fra 60 s"
            grep -m3 -E '^error' "$WORK/build.log" >&2 || true
            attempt=$((attempt + 1))
            sleep 60
        done
        BIN="$CARGO_TARGET_DIR/release/raccolta"
    fi
}

# A free TCP port on the loopback.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

