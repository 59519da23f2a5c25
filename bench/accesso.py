#!/usr/bin/env python3
"""Raccolta bench "accesso": client side, standard library only (asyncio + raw HTTP/1.1). Driven by accesso.sh.

    accesso.py utenti  --base URL --mail-dir DIR --n N --out utenti.json
        registers N users (persona fisica) through the public forms, confirms each one through the link of its
        e-mail (.eml under DIR) and writes [{"email", "codice", "password"}, ...].

    accesso.py tempesta --base URL --utenti utenti.json --clients C --duration S --out risultato.json
                        [--started FILE]
        C concurrent clients, each with its own cookie jar and keep-alive connection, loop for S seconds over
        GET /accesso (fresh session: new cookie jar) + POST /accesso with the right password; a login succeeds
        when the POST answers 303 to /area-riservata. Writes the timing of every attempt and a summary;
        touches FILE when the clients start.

Loopback only; no Accept-Encoding is sent, so nothing is compressed.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import html
import json
import os
import re
import sys
import time
import urllib.parse
from pathlib import Path

PASSWORD = "girasole obliquo mangia tre lanterne"
CAPTCHA = "PROVA7"
CODICE_FISCALE = "RSSMRA85T10A562S"
USER_AGENT = "raccolta-bench-accesso/1"
TIMEOUT = 30.0


def log(msg: str) -> None:
    print(f"[accesso.py] {msg}", file=sys.stderr, flush=True)


class HttpError(Exception):
    pass


class Risposta:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """One browser: a keep-alive HTTP/1.1 connection and a cookie jar (name -> value; path/domain ignored,
    everything is on one origin)."""

    def __init__(self, base: str):
        u = urllib.parse.urlsplit(base)
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or 80
        self.origin = f"{u.scheme}://{u.netloc}"
        self.hostport = u.netloc
        self.jar: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connections = 0
        # The visitor's address as the trusted proxy in front of the server would report it.
        self.forwarded_for: str | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except Exception:
                pass
        self.reader = self.writer = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.connections += 1

    async def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Risposta:
        return await asyncio.wait_for(self._request(method, path, form), TIMEOUT)

    async def _request(self, method: str, path: str, form: dict[str, str] | None) -> Risposta:
        body = urllib.parse.urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.hostport}", f"User-Agent: {USER_AGENT}", "Accept: text/html"]
        if self.forwarded_for:
            lines.append(f"X-Forwarded-For: {self.forwarded_for}")
        if self.jar:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.jar.items()))
        if form is not None:
            # What a browser sends for a same-origin form post.
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Origin: {self.origin}",
                "Sec-Fetch-Site: same-origin",
            ]
        if form is not None or method not in ("GET", "HEAD"):
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        # A kept-alive connection the server closed meanwhile: one retry on a new connection, only when nothing
        # of the response arrived (the requests here are safe to repeat in that case).
        for attempt in (0, 1):
            fresh = self.writer is None
            if fresh:
                await self._connect()
            try:
                self.writer.write(raw)
                await self.writer.drain()
                return await self._read_response(method)
            except (ConnectionError, asyncio.IncompleteReadError) as e:
                await self.close()
                if fresh or attempt == 1 or (isinstance(e, asyncio.IncompleteReadError) and e.partial):
                    raise
        raise AssertionError("unreachable")

    async def _read_response(self, method: str) -> Risposta:
        r = self.reader
        status_line = (await r.readuntil(b"\r\n")).decode("latin-1").rstrip("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise HttpError(f"status line non valida: {status_line!r}")
        status = int(parts[1])
        headers: list[tuple[str, str]] = []
        while True:
            line = (await r.readuntil(b"\r\n")).decode("latin-1").rstrip("\r\n")
            if not line:
                break
            k, _, v = line.partition(":")
            headers.append((k.strip().lower(), v.strip()))
        hmap = {k: v for k, v in headers}
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif hmap.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await r.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
                if size == 0:
                    while (await r.readuntil(b"\r\n")) != b"\r\n":
                        pass
                    break
                chunks.append(await r.readexactly(size))
                await r.readexactly(2)
            body = b"".join(chunks)
        elif "content-length" in hmap:
            body = await r.readexactly(int(hmap["content-length"]))
        else:
            body = await r.read()
            await self.close()
        if hmap.get("connection", "").lower() == "close":
            await self.close()
        for k, v in headers:
            if k == "set-cookie":
                self._set_cookie(v)
        return Risposta(status, headers, body)

    def _set_cookie(self, value: str) -> None:
        first, *attrs = value.split(";")
        name, _, val = first.strip().partition("=")
        expired = any(
            a.strip().lower().startswith("max-age=") and a.strip()[8:].strip().lstrip("-").isdigit()
            and int(a.strip()[8:]) <= 0
            for a in attrs
        )
        if expired:
            self.jar.pop(name, None)
        else:
            self.jar[name] = val


INPUT_RE = re.compile(r"<input\b[^>]*>", re.I | re.S)
ATTR_RE = re.compile(r'([a-zA-Z_:-]+)\s*=\s*"([^"]*)"')


def hidden(page: str, name: str) -> str:
    for tag in INPUT_RE.findall(page):
        attrs = {k.lower(): html.unescape(v) for k, v in ATTR_RE.findall(tag)}
        if attrs.get("name") == name and "value" in attrs:
            return attrs["value"]
    raise HttpError(f"campo nascosto {name!r} assente dalla pagina")


def snippet(page: str, n: int = 300) -> str:
    text = re.sub(r"<[^>]+>", " ", re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", page))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()[:n]


# ------------------------------------------------------------------------------------------------ users


def link_in_mail(path: Path, base: str) -> tuple[str, str] | None:
    """(To address, confirmation link) of one .eml, or None when it holds no confirmation link."""
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    to = str(msg.get("To", "")).strip()
    m = re.search(r"<([^>]+)>", to)
    to = (m.group(1) if m else to).lower()
    texts = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            try:
                texts.append(part.get_content())
            except Exception:
                payload = part.get_payload(decode=True) or b""
                texts.append(payload.decode("utf-8", "replace"))
    found = re.search(re.escape(base) + r"/registrazione/conferma\?token=([A-Za-z0-9_\-]+)", "\n".join(texts))
    if not found:
        return None
    return to, found.group(0)


async def registra(base: str, mail: str, idx: int) -> None:
    c = Client(base)
    try:
        r = await c.request("GET", "/registrazione?tipo=persona_fisica")
        if r.status != 200:
            raise HttpError(f"GET /registrazione: {r.status}")
        form = {
            "csrf": hidden(r.text, "csrf"),
            "tipo": "persona_fisica",
            "nome": "Mario",
            "cognome": f"Bench{idx}",
            "codice_fiscale": CODICE_FISCALE,
            "email": mail,
            "password": PASSWORD,
            "conferma_password": PASSWORD,
            "privacy": "si",
            "captcha": CAPTCHA,
        }
        r = await c.request("POST", "/registrazione", form)
        if r.status != 200 or mail not in r.text:
            raise HttpError(f"POST /registrazione per {mail}: {r.status}: {snippet(r.text)}")
    finally:
        await c.close()


async def conferma(base: str, link: str) -> str:
    c = Client(base)
    try:
        path = link[len(base):]
        r = await c.request("GET", path)
        if r.status != 200:
            raise HttpError(f"GET {path}: {r.status}: {snippet(r.text)}")
        form = {"csrf": hidden(r.text, "csrf"), "token": hidden(r.text, "token")}
        r = await c.request("POST", "/registrazione/conferma", form)
        m = re.search(r'<strong id="codice-utente">([^<]+)</strong>', r.text)
        if r.status != 200 or not m:
            raise HttpError(f"POST /registrazione/conferma: {r.status}: {snippet(r.text)}")
        return html.unescape(m.group(1)).strip()
    finally:
        await c.close()


async def utenti(args: argparse.Namespace) -> int:
    base = args.base.rstrip("/")
    mail_dir = Path(args.mail_dir)
    stamp = int(time.time())
    mails = [f"bench{stamp}.{i}@example.org" for i in range(args.n)]
    t0 = time.monotonic()
    # A few at a time: each registration hashes a password.
    sem = asyncio.Semaphore(4)

    async def one(i: int, m: str) -> None:
        async with sem:
            await registra(base, m, i)

    await asyncio.gather(*(one(i, m) for i, m in enumerate(mails)))
    log(f"{args.n} registrazioni inviate in {time.monotonic() - t0:.1f} s; attendo le e-mail in {mail_dir}")
    links: dict[str, str] = {}
    deadline = time.monotonic() + 30
    wanted = set(mails)
    while wanted - links.keys():
        if time.monotonic() > deadline:
            raise HttpError(f"e-mail di conferma mancanti dopo 30 s: {sorted(wanted - links.keys())}")
        if mail_dir.is_dir():
            for p in mail_dir.rglob("*.eml"):
                try:
                    got = link_in_mail(p, base)
                except Exception:
                    continue  # possibly half-written: read it again at the next pass
                if got and got[0] in wanted:
                    links[got[0]] = got[1]
        await asyncio.sleep(0.1)
    codici = await asyncio.gather(*(conferma(base, links[m]) for m in mails))
    out = [{"email": m, "codice": c, "password": PASSWORD} for m, c in zip(mails, codici)]
    Path(args.out).write_text(json.dumps(out, indent=1))
    log(f"{args.n} utenti confermati in {time.monotonic() - t0:.1f} s: {', '.join(codici)}")
    return 0


# ------------------------------------------------------------------------------------------------ storm


async def tempesta(args: argparse.Namespace) -> int:
    base = args.base.rstrip("/")
    users = json.loads(Path(args.utenti).read_text())
    if not users:
        raise HttpError("nessun utente")
    records: list[dict] = []  # one per attempt
    failures: dict[str, int] = {}
    samples: list[str] = []
    counter = 0

    def fail(kind: str, detail: str) -> None:
        failures[kind] = failures.get(kind, 0) + 1
        if len(samples) < 5:
            samples.append(f"{kind}: {detail}")

    start = time.monotonic()
    start_epoch = time.time()
    deadline = start + args.duration

    async def worker(wid: int) -> None:
        nonlocal counter
        c = Client(base)
        try:
            while time.monotonic() < deadline:
                u = users[counter % len(users)]
                # Each user logs in alternately with the two accepted names: the code and the e-mail.
                nome = u["codice"] if (counter // len(users)) % 2 == 0 else u["email"]
                counter += 1
                c.jar.clear()  # a new visitor: the last session is logged in and /accesso would redirect
                # From an address of its own, as real visitors are: one address past 120 captcha challenges in
                # 10 minutes gets no new one for a while, and this benchmark measures logins, not that limit.
                c.forwarded_for = f"10.{(counter >> 16) & 255}.{(counter >> 8) & 255}.{counter & 255}"
                t0 = time.monotonic()
                try:
                    r = await c.request("GET", "/accesso")
                    t1 = time.monotonic()
                    if r.status != 200:
                        fail(f"GET /accesso {r.status}", snippet(r.text, 200))
                        await asyncio.sleep(0.05)
                        continue
                    form = {"csrf": hidden(r.text, "csrf"), "nome_utente": nome, "password": u["password"],
                            "captcha": CAPTCHA}
                    r = await c.request("POST", "/accesso", form)
                    t2 = time.monotonic()
                except Exception as e:  # noqa: BLE001 - every failure is counted and shown
                    await c.close()
                    fail(f"eccezione {type(e).__name__}", str(e)[:200])
                    await asyncio.sleep(0.05)
                    continue
                loc = r.header("location") or ""
                ok = r.status == 303 and urllib.parse.urlsplit(loc).path == "/area-riservata"
                if not ok:
                    fail(f"POST /accesso {r.status}" + (f" -> {loc}" if loc else ""), snippet(r.text, 200))
                records.append({"w": wid, "t0": t0 - start, "get_ms": (t1 - t0) * 1e3, "post_ms": (t2 - t1) * 1e3,
                                "end": t2 - start, "ok": ok})
        finally:
            await c.close()

    if args.started:
        Path(args.started).touch()
    await asyncio.gather(*(worker(i) for i in range(args.clients)))
    end = time.monotonic()

    oks = [r for r in records if r["ok"]]
    window = (max((r["end"] for r in records), default=end - start)) if records else end - start

    def pct(values: list[float], p: float) -> float | None:
        if not values:
            return None
        v = sorted(values)
        return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]

    post = [r["post_ms"] for r in oks]
    cycle = [r["get_ms"] + r["post_ms"] for r in oks]
    get = [r["get_ms"] for r in records]
    # Successful logins completed in a sub-window (while wrk ran).
    def rate_between(a: float, b: float) -> float | None:
        if b <= a:
            return None
        return sum(1 for r in oks if a <= r["end"] < b) / (b - a)

    summary = {
        "clients": args.clients,
        "duration_s": args.duration,
        "window_s": window,
        "attempts": len(records) + sum(v for k, v in failures.items() if not k.startswith("POST")),
        "ok": len(oks),
        "failures": sum(failures.values()),
        "failures_by_kind": failures,
        "failure_samples": samples,
        "logins_per_s": len(oks) / window if window > 0 else 0.0,
        "post_p50_ms": pct(post, 50),
        "post_p90_ms": pct(post, 90),
        "post_p99_ms": pct(post, 99),
        "post_max_ms": max(post) if post else None,
        "get_p50_ms": pct(get, 50),
        "get_p99_ms": pct(get, 99),
        "cycle_p50_ms": pct(cycle, 50),
        "cycle_p99_ms": pct(cycle, 99),
        "users": len(users),
        "per_second": [sum(1 for r in oks if s <= r["end"] < s + 1) for s in range(int(window) + 1)],
    }
    # The shell writes "epoch_start epoch_end" of its measured wrk run to this file while the storm still runs.
    if args.finestra and Path(args.finestra).is_file():
        try:
            a, b = (float(x) for x in Path(args.finestra).read_text().split()[:2])
            summary["wrk_window_s"] = [a - start_epoch, b - start_epoch]
            summary["logins_per_s_during_wrk"] = rate_between(a - start_epoch, b - start_epoch)
        except ValueError:
            pass
    Path(args.out).write_text(json.dumps({"summary": summary}, indent=1))
    log(
        f"tempesta: {len(oks)} accessi riusciti in {window:.1f} s = {summary['logins_per_s']:.1f}/s, "
        f"{summary['failures']} fallimenti; POST p50 {summary['post_p50_ms'] or 0:.0f} ms, "
        f"p99 {summary['post_p99_ms'] or 0:.0f} ms; al secondo: {summary['per_second']}"
    )
    for s in samples:
        log(f"  fallimento: {s}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("utenti")
    u.add_argument("--base", required=True)
    u.add_argument("--mail-dir", required=True)
    u.add_argument("--n", type=int, default=10)
    u.add_argument("--out", required=True)
    t = sub.add_parser("tempesta")
    t.add_argument("--base", required=True)
    t.add_argument("--utenti", required=True)
    t.add_argument("--clients", type=int, default=32)
    t.add_argument("--duration", type=float, default=15.0)
    t.add_argument("--out", required=True)
    t.add_argument("--started", help="file touched when the clients start")
    t.add_argument("--finestra", help='file with "epoch_start epoch_end" of the wrk run, read at the end')
    args = ap.parse_args()
    try:
        return asyncio.run(utenti(args) if args.cmd == "utenti" else tempesta(args))
    except HttpError as e:
        log(f"ERRORE: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
