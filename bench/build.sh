#!/usr/bin/env bash
# The cold release build time of the workspace before and after typst (issue 12): two fresh clones, each built
# with `cargo build --release --workspace` into an empty target folder, one after the other (never together: they
# would share the two cores). Crates already in ~/.cargo are not downloaded again, so this times the compiler.
#   bench/build.sh                                   # before = the last commit without crates/documenti, after = HEAD
#   RACCOLTA_BENCH_BEFORE=<rev> RACCOLTA_BENCH_AFTER=<rev> bench/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
before="${RACCOLTA_BENCH_BEFORE:-$(git log --format=%h -1 "$(git log --format=%H --diff-filter=A -1 -- crates/documenti/Cargo.toml)^")}"
after="${RACCOLTA_BENCH_AFTER:-HEAD}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The build embeds Bootstrap Italia from node_modules (build.rs): both clones share this tree's.
[ -d node_modules/bootstrap-italia/dist ] || npm ci --no-audit --no-fund --loglevel=error
echo "== load average before: $(cut -d' ' -f1-3 /proc/loadavg) · $(nproc) cores"
for name in before after; do
  rev="$before"; [ "$name" = after ] && rev="$after"
  git clone -q . "$work/$name"
  git -C "$work/$name" checkout -q "$rev"
  ln -s "$PWD/node_modules" "$work/$name/node_modules"
  start=$(date +%s)
  (cd "$work/$name" && CARGO_TARGET_DIR="$work/$name-target" cargo build --release --locked --workspace --quiet)
  secs=$(( $(date +%s) - start ))
  printf '%-6s %s  cold release build of the workspace: %d s (%d min %02d s)\n' \
    "$name" "$(git -C "$work/$name" log --format='%h %s' -1 | cut -c1-60)" "$secs" $((secs / 60)) $((secs % 60))
  rm -rf "$work/$name-target"
done
