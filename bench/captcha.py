#!/usr/bin/env python3
"""How many image captchas tesseract reads.

Renders N challenges with `raccolta captcha campioni DIR N --senza-audio` (exactly as the server draws them), then
asks the `tesseract` CLI to read each one in several ways an attacker would try: the PNG as served, and a cleaned
copy (ink kept by lightness, isolated specks removed, scaled 2x); each as one line (--psm 7) and as one word
(--psm 8); always restricted to the characters of ALFABETO, which is public. It prints, per way and for "any
way", how many were read exactly (case and spaces ignored).

    bench/captcha.py [N]                         # builds with cargo build --release -p raccolta (N = 200)
    RACCOLTA_BIN=path/to/raccolta bench/captcha.py 200

Only the Python standard library and the tesseract CLI (Debian: apt-get install tesseract-ocr).
"""

import concurrent.futures
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MOD = ROOT / "crates/raccolta/src/captcha/mod.rs"


def alfabeto() -> str:
    m = re.search(r'^pub const ALFABETO: &str = "([^"]+)";', MOD.read_text(), re.M)
    if not m:
        sys.exit(f"ALFABETO non trovato in {MOD}")
    return m.group(1)


def binario() -> str:
    if os.environ.get("RACCOLTA_BIN"):
        return os.environ["RACCOLTA_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR", str(Path.home() / ".cache/raccolta-target"))
    subprocess.run(["cargo", "build", "--release", "-p", "raccolta"], cwd=ROOT, check=True,
                   env={**os.environ, "CARGO_TARGET_DIR": target})
    return str(Path(target) / "release/raccolta")


def leggi_png(path: Path) -> tuple[int, int, list[bytearray]]:
    """Width, height and RGB rows of an 8-bit RGB, non-interlaced PNG (what the server writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert (depth, color, interlace) == (8, 2, 0), f"{path}: PNG inatteso"
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride, bpp = 3 * w, 3
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, rows


def pulisci(png: Path, out: Path) -> None:
    """Keeps dark pixels, drops the ones with fewer than 3 dark neighbours, doubles the size: a PGM."""
    w, h, rows = leggi_png(png)
    ink = [[0.299 * r[3 * x] + 0.587 * r[3 * x + 1] + 0.114 * r[3 * x + 2] < 110 for x in range(w)] for r in rows]
    clean = [[ink[y][x] and sum(ink[j][i] for j in range(max(0, y - 1), min(h, y + 2))
                                for i in range(max(0, x - 1), min(w, x + 2))) >= 4
              for x in range(w)] for y in range(h)]
    margin = 10
    W, H = 2 * w + 2 * margin, 2 * h + 2 * margin
    pix = bytearray([255]) * (W * H)
    for y in range(h):
        for x in range(w):
            if clean[y][x]:
                for dy in (0, 1):
                    for dx in (0, 1):
                        pix[(margin + 2 * y + dy) * W + margin + 2 * x + dx] = 0
    out.write_bytes(f"P5\n{W} {H}\n255\n".encode() + bytes(pix))


def tesseract(path: Path, psm: int, chars: str) -> str:
    res = subprocess.run(
        ["tesseract", str(path), "stdout", "--psm", str(psm), "-c", f"tessedit_char_whitelist={chars}"],
        capture_output=True, text=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return re.sub(r"\s", "", res.stdout).upper()


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    if not shutil.which("tesseract"):
        sys.exit("manca tesseract: apt-get install -y tesseract-ocr")
    chars = alfabeto()
    exe = binario()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        subprocess.run([exe, "captcha", "campioni", str(d), str(n), "--senza-audio"], check=True)
        risposte = [line.split("\t") for line in (d / "risposte.tsv").read_text().splitlines()]
        modi = [("png, --psm 7", "png", 7), ("png, --psm 8", "png", 8),
                ("pulita, --psm 7", "pgm", 7), ("pulita, --psm 8", "pgm", 8)]

        def prova(voce: list[str]) -> list[bool]:
            nome, codice = voce
            png = d / f"{nome}.png"
            pulisci(png, d / f"{nome}.pgm")
            return [tesseract(d / f"{nome}.{ext}", psm, chars) == codice for _, ext, psm in modi]

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            esiti = list(pool.map(prova, risposte))
    print(f"immagine: {n} sfide, alfabeto {chars} ({len(chars)} caratteri), tesseract {tesseract_version()}")
    for i, (nome, _, _) in enumerate(modi):
        k = sum(e[i] for e in esiti)
        print(f"  {nome:<18} {k:>4} di {n} lette ({100 * k / n:.1f} %)")
    k = sum(any(e) for e in esiti)
    print(f"  {'in almeno un modo':<18} {k:>4} di {n} lette ({100 * k / n:.1f} %)")
    return 0


def tesseract_version() -> str:
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).split("\n")[0].split()[-1]


if __name__ == "__main__":
    sys.exit(main())
