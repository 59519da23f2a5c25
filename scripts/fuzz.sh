#!/usr/bin/env bash
# Fuzzes the questionnaire engine: the expression parser and the definition loader (cargo-fuzz, libFuzzer).
#   scripts/fuzz.sh            each target for 60 s
#   scripts/fuzz.sh 600        each target for 10 minutes
# Needs the nightly toolchain (`rustup toolchain install nightly`); installs cargo-fuzz from crates.io if missing.
# The seed corpus under crates/questionario/fuzz/corpus is copied to a scratch folder, so the tree stays clean;
# a crash is saved under crates/questionario/fuzz/artifacts/ and the script exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/../crates/questionario/fuzz"
seconds="${1:-60}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/raccolta-target}/fuzz"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "== installo cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
for target in espressione definizione; do
  mkdir -p "$scratch/$target"
  cp corpus/"$target"/* "$scratch/$target"/
  echo "== fuzz $target per ${seconds}s"
  cargo +nightly fuzz run "$target" "$scratch/$target" -- -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048
done
echo "== fuzz: nessun crash"
