#!/usr/bin/env bash
# Generates the audio captcha's clips: one WAV per character of ALFABETO (read from src/captcha/mod.rs, so the two
# cannot drift apart) per language, into crates/raccolta/assets/captcha/{it,en}/<CHAR>.wav. The clips are committed
# and embedded at compile time; run this again only when ALFABETO or the voices change.
#
# espeak-ng already reads a bare capital letter by its name ("bi", "acca", "doppia vu" in Italian; "aitch",
# "double-u" in English), so the text is the character itself. The clips are resampled to 16 kHz mono 16-bit
# (the format the module expects), trimmed of silence and normalised to -4 dBFS, which leaves room for the module's
# random +3 dB gain without clipping.
set -euo pipefail
cd "$(dirname "$0")/.."

src=crates/raccolta/src/captcha/mod.rs
out=crates/raccolta/assets/captcha

for cmd in espeak-ng sox; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "manca $cmd: apt-get install -y espeak-ng sox" >&2
    exit 1
  fi
done

alfabeto="$(sed -n 's/^pub const ALFABETO: &str = "\([^"]*\)";$/\1/p' "$src")"
if [[ ! $alfabeto =~ ^[A-Z0-9]+$ ]]; then
  echo "ALFABETO non trovato in $src" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for lingua in it en; do
  mkdir -p "$out/$lingua"
  rm -f "$out/$lingua"/*.wav
  for ((i = 0; i < ${#alfabeto}; i++)); do
    c="${alfabeto:i:1}"
    # -s 130: a little slower than the default 175 words per minute, for clarity.
    espeak-ng -v "$lingua" -s 130 -w "$tmp/raw.wav" -- "$c"
    # espeak-ng's silence is digital zero, so a low threshold trims it without eating soft onsets ("three", "effe").
    sox "$tmp/raw.wav" -r 16000 -c 1 -b 16 -e signed-integer "$out/$lingua/$c.wav" \
      silence 1 0.005 0.1% reverse silence 1 0.005 0.1% fade q 0.01 reverse fade q 0.005 norm -4
  done
  echo "== $lingua: ${#alfabeto} clip in $out/$lingua"
done
du -ch "$out"/it/*.wav "$out"/en/*.wav | tail -1
