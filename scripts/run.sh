#!/usr/bin/env bash
# The README's run command: installs the front-end assets when missing, then starts Raccolta on the embedded
# SQLite default (data/raccolta.db) at http://127.0.0.1:8080. Extra arguments go to `raccolta`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
export RACCOLTA_DEMO="${RACCOLTA_DEMO:-true}"
# The dev profile, like `scripts/test.sh`: the dependencies are built once, optimized (opt-level 1, see the
# workspace Cargo.toml), and the tests reuse them instead of building everything again in the release profile.
# A deployment builds `cargo build --release` instead.
exec cargo run --locked -p raccolta -- "$@"
