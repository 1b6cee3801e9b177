#!/usr/bin/env python3
"""An outside security probe of Hadir served the way ``make run`` serves it.

Prints one figure per line for the defects of the security review (login limits,
malformed tokens, cookie flags, security headers, passwords, the database down), so
a change can be measured before and after with the same command::

    .venv/bin/python scripts/security_probe.py                    # this checkout
    .venv/bin/python scripts/security_probe.py --checkout ../old  # another checkout (same venv)
    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python scripts/security_probe.py

What it does: a fresh SQLite database in a temporary folder (``flask db upgrade``,
``flask demo load``), then the ``gunicorn`` line of the Makefile's ``run`` target
(its workers, threads and environment) on a free 127.0.0.1 port with
``TRUSTED_PROXIES=1``, so each scenario can speak from its own client address
(``X-Forwarded-For``) and over "HTTPS" (``X-Forwarded-Proto: https``).  Finally the
same server command against an unreachable database (PostgreSQL on a closed port, and
an SQLite file in a folder that does not exist).

Talks to 127.0.0.1 only; takes about a minute.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "hadir-demo-2026"
WRONG = "wrong-password-123"

#: Malformed opaque ``id|secret`` tokens: huge and non-ASCII ids, empty parts, huge strings.
MALFORMED_TOKENS = [
    "99999999999999999999|x", "9223372036854775808|x", "²|x", "١٢|x", "１|x", "-1|x", "0|x",
    "|x", "1|", "|", "x|y", " |x", "1|" + "a" * 4000, "9" * 4000 + "|x",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """HTTP/1.1 to the server, one connection per request (so requests spread over workers)."""

    def __init__(self, port: int, address: str, https: bool = False):
        self.port, self.address, self.https = port, address, https
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, json_body=None, form=None, headers=None, raw_headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        hdrs = {"X-Forwarded-For": self.address, "Accept": "application/json"}
        if self.https:  # Flask-WTF checks the Referer of HTTPS form posts (same origin)
            hdrs["X-Forwarded-Proto"] = "https"
            hdrs["Referer"] = f"https://127.0.0.1:{self.port}{path.split('?')[0]}"
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs["Content-Type"] = "application/json"
        elif form is not None:
            from urllib.parse import urlencode
            body = urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
            hdrs["Accept"] = "text/html"
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        hdrs.update(headers or {})
        conn.putrequest(method, path, skip_accept_encoding=True)
        for key, value in hdrs.items():
            conn.putheader(key, value)
        for key, value in (raw_headers or {}).items():  # bytes values: non-Latin-1 text as UTF-8
            conn.putheader(key, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        set_cookies = resp.headers.get_all("Set-Cookie") or []
        for line in set_cookies:
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in line.lower() or "expires=thu, 01 jan 1970" in line.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        conn.close()
        return resp.status, resp.headers, data, set_cookies


FRAME_NONE = re.compile(r"frame-ancestors\s+'none'")


def csrf_from(html: bytes) -> str:
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', html)
    return match.group(1).decode() if match else ""


class Server:
    """The Makefile's ``run`` gunicorn line on a free port."""

    def __init__(self, checkout: Path, env: dict):
        self.checkout, self.env, self.port = checkout, env, free_port()
        self.proc = None

    def command(self) -> str:
        recipe = (self.checkout / "Makefile").read_text()
        line = next(ln.strip() for ln in recipe.splitlines() if "gunicorn" in ln and ln.startswith("\t"))
        line = line.lstrip("@")
        return (line.replace("$(BIN)", str(self.checkout / ".venv" / "bin"))
                .replace("$(HOST)", "127.0.0.1").replace("$(PORT)", str(self.port))
                .replace("--access-logfile -", ""))

    def start(self, wait_for_health: bool = True) -> None:
        self.log = open(Path(self.env["PROBE_TMP"]) / f"gunicorn-{self.port}.log", "wb")
        self.proc = subprocess.Popen(["sh", "-c", self.command()], cwd=self.checkout, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {self.log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer in 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


# --- scenarios -------------------------------------------------------------------------------

def _admin_login(client: Client, identifier: str, password: str, remember=False):
    _s, _h, page, _c = client.request("GET", "/admin/login", headers={"Accept": "text/html"})
    form = {"csrf_token": csrf_from(page), "identifier": identifier, "password": password}
    if remember:
        form["remember"] = "y"
    return client.request("POST", "/admin/login", form=form)


def login_attempt(dialect: str, client: Client, identifier: str, password: str):
    """One sign-in; returns the HTTP status."""
    if dialect == "admin":
        return _admin_login(client, identifier, password)[0]
    path, body = {
        "mobile": ("/api/login", {"npp": identifier, "password": password, "device_id": "probe-phone"}),
        "school": ("/api/auth/login", {"nisn_nip_nik": identifier, "password": password}),
        "face": ("/face/api/login", {"email": identifier, "password": password}),
        "igd": ("/igd/api/auth/login", {"email": identifier, "password": password}),
        "clinic": ("/api/v2/auth/login", {"email": identifier, "password": password}),
    }[dialect]
    return client.request("POST", path, json_body=body)[0]


LOGIN_ACCOUNTS = {"mobile": "10001", "school": "5001", "face": "andi@hadir.test", "igd": "admin@hadir.test",
                  "clinic": "dokter@hadir.test", "admin": "admin@hadir.test"}


def stuffing_identifier(dialect: str, n: int, run: str) -> str:
    if dialect in ("mobile", "school"):
        return f"9{run[:6]}{n:03d}"
    return f"probe{n}-{run}@hadir.test"


def scenario_login_limits(port: int, run: str) -> list[str]:
    lines = []
    for i, dialect in enumerate(LOGIN_ACCOUNTS):
        client = Client(port, f"10.1.{i}.{int(run[:2], 16)}")
        statuses = [login_attempt(dialect, client, LOGIN_ACCOUNTS[dialect], WRONG) for _ in range(20)]
        checked = sum(1 for s in statuses if s != 429)
        lines.append(f"login {dialect:7s} 20 wrong passwords, one account, one address: {checked} checked "
                     f"(not 429), statuses {sorted(set(statuses))}")
    for i, dialect in enumerate(LOGIN_ACCOUNTS):
        client = Client(port, f"10.2.{i}.{int(run[:2], 16)}")
        statuses = [login_attempt(dialect, client, stuffing_identifier(dialect, n, run), WRONG) for n in range(30)]
        checked = sum(1 for s in statuses if s != 429)
        lines.append(f"login {dialect:7s} 30 accounts from one address: {checked} checked, "
                     f"{statuses.count(429)} × 429")
    return lines


def scenario_tokens(port: int) -> list[str]:
    targets = {
        "school": ("GET", "/api/user", "bearer"),
        "clinic": ("GET", "/api/v2/auth/me", "bearer"),
        "igd": ("GET", "/igd/api/auth/check", "bearer"),
        "face": ("GET", "/face/api/profile", "cookie"),
        "mobile": ("GET", "/api/jam-absensi/active", "bearer"),
    }
    lines, total_5xx, total = [], 0, 0
    for i, (dialect, (method, path, how)) in enumerate(targets.items()):
        client = Client(port, f"10.3.{i}.1")
        statuses = []
        for token in MALFORMED_TOKENS:
            try:  # as a client library sends it: Latin-1 when it can (² is one byte), else UTF-8
                raw = token.encode("latin-1")
            except UnicodeEncodeError:
                raw = token.encode()
            key = b"Authorization" if how == "bearer" else b"Cookie"
            value = (b"Bearer " + raw) if how == "bearer" else (b"token=" + raw)
            statuses.append(client.request(method, path, raw_headers={key: value})[0])
        n5 = sum(1 for s in statuses if s >= 500)
        total_5xx, total = total_5xx + n5, total + len(statuses)
        lines.append(f"tokens {dialect:7s} {len(statuses)} malformed: {n5} × 5xx, statuses {sorted(set(statuses))}")
    lines.append(f"tokens all     {total} malformed: {total_5xx} × 5xx")
    return lines


def _cookie_flags(set_cookie: str) -> str:
    parts = [p.strip().lower() for p in set_cookie.split(";")[1:]]
    secure = "secure" in parts
    samesite = next((p.split("=", 1)[1] for p in parts if p.startswith("samesite=")), "-")
    httponly = "httponly" in parts
    return f"Secure={'yes' if secure else 'NO'} SameSite={samesite} HttpOnly={'yes' if httponly else 'no'}"


def pairing_code(checkout: Path, env: dict) -> str:
    out = subprocess.run([str(checkout / ".venv/bin/flask"), "--app", "wsgi", "kiosk", "pairing-code", "1"],
                         cwd=checkout, env=env, capture_output=True, text=True, check=True).stdout
    return re.search(r"pairing code for kiosk 1 \([^)]*\): (\S+)", out).group(1)


def scenario_cookies_and_headers(port: int, checkout: Path, env: dict) -> list[str]:
    lines = []
    https = Client(port, "10.4.0.1", https=True)
    cookies: dict[str, str] = {}
    _s, _h, _b, set_cookies = _admin_login(https, "admin@hadir.test", DEMO_PASSWORD, remember=True)
    for line in set_cookies:
        cookies[line.split("=", 1)[0]] = line
    admin_session = dict(https.cookies)
    for line in Client(port, "10.4.0.2", https=True).request("GET", "/igd/api/sanctum/csrf-cookie")[3]:
        cookies[line.split("=", 1)[0]] = line
    face = Client(port, "10.4.0.3", https=True)
    for line in face.request("POST", "/face/api/login",
                             json_body={"email": "andi@hadir.test", "password": DEMO_PASSWORD})[3]:
        cookies[line.split("=", 1)[0]] = line
    kiosk = Client(port, "10.4.0.4", https=True)
    code = pairing_code(checkout, env)
    _s, _h, page, _c = kiosk.request("GET", f"/kiosk/pair?code={code}", headers={"Accept": "text/html"})
    for line in kiosk.request("POST", "/kiosk/pair", form={"csrf_token": csrf_from(page), "code": code})[3]:
        cookies[line.split("=", 1)[0]] = line
    for name in ("session", "remember_token", "igd_session", "XSRF-TOKEN", "token", "hadir_kiosk"):
        line = cookies.get(name)
        lines.append(f"cookie {name:15s} over HTTPS: " + (_cookie_flags(line) if line else "not set"))

    signed_in = Client(port, "10.4.0.5")
    signed_in.cookies = admin_session
    pages = [("admin login", Client(port, "10.4.0.6"), "/admin/login"),
             ("admin dashboard", signed_in, "/admin/"),
             ("admin users", signed_in, "/admin/users"),
             ("admin error 404", signed_in, "/admin/no-such-page"),
             ("kiosk pair", Client(port, "10.4.0.7"), "/kiosk/pair"),
             ("kiosk home", kiosk, "/kiosk/"),
             ("face page", Client(port, "10.4.0.8"), "/face/")]
    for label, client, path in pages:
        status, headers, body, _c = client.request("GET", path, headers={"Accept": "text/html"})
        csp = headers.get("Content-Security-Policy") or ""
        script_src = re.search(r"script-src([^;]*)", csp) or re.search(r"default-src([^;]*)", csp)
        inline_scripts = len(re.findall(rb"<script(?![^>]*\bsrc=)[^>]*>", body))
        handlers = len(re.findall(rb"\son[a-z]+\s*=", body))
        lines.append(
            f"headers {label:16s} {status}: CSP={'yes' if csp else 'NO'}"
            f" unsafe-inline-script={'YES' if script_src and 'unsafe-inline' in script_src.group(1) else 'no'}"
            f" frame-ancestors-none={'yes' if FRAME_NONE.search(csp) else 'no'}"
            f" XFO={headers.get('X-Frame-Options') or '-'} nosniff={'yes' if headers.get('X-Content-Type-Options') == 'nosniff' else 'NO'}"
            f" Referrer-Policy={headers.get('Referrer-Policy') or '-'}"
            f" Permissions-Policy={'yes' if headers.get('Permissions-Policy') else '-'}"
            f" inline-scripts={inline_scripts} on*=handlers={handlers}")
    return lines


def scenario_passwords(port: int, run: str) -> list[str]:
    blank = " " * 8
    lines = []
    c = Client(port, "10.5.0.1")
    s = c.request("POST", "/face/api/register", json_body={"email": f"blank-{run}@hadir.test", "password": blank,
                                                           "name": "Blank"})[0]
    lines.append(f"password '8 spaces' face register: {s} ({'ACCEPTED' if s < 300 else 'refused'})")
    c = Client(port, "10.5.0.2")
    _s, _h, body, _c = c.request("POST", "/api/auth/login", json_body={"nisn_nip_nik": "5001", "password": DEMO_PASSWORD})
    token = json.loads(body)["data"]["token"]
    s, _h, body, _c = c.request("POST", "/api/users", json_body={
        "name": "Blank", "nisn_nip_nik": f"77{run[:6]}", "role_id": 1, "password": blank},
        headers={"Authorization": f"Bearer {token}"})
    lines.append(f"password '8 spaces' school POST /api/users: {s} ({'ACCEPTED' if s < 300 else 'refused'})"
                 f" {body.decode()[:120] if s >= 300 else ''}")
    c = Client(port, "10.5.0.3")
    _s, _h, body, _c = c.request("POST", "/api/v2/auth/login", json_body={"email": "admin@hadir.test",
                                                                        "password": DEMO_PASSWORD})
    token = json.loads(body)["data"]["token"]
    s = c.request("POST", "/api/v2/admin/nonparamedis",
                  json_body={"name": "Blank", "email": f"blank2-{run}@hadir.test", "password": blank},
                  headers={"Authorization": f"Bearer {token}"})[0]
    lines.append(f"password '8 spaces' clinic admin create: {s} ({'ACCEPTED' if s < 300 else 'refused'})")
    long_pw = "a" * 10000
    s = Client(port, "10.5.0.4").request("POST", "/face/api/register", json_body={
        "email": f"long-{run}@hadir.test", "password": long_pw, "name": "Long"})[0]
    lines.append(f"password 10000 chars face register: {s} ({'ACCEPTED' if s < 300 else 'refused'})")
    return lines


def scenario_database_down(port: int, label: str, session_cookie: dict) -> list[str]:
    requests = [
        ("healthz", "GET", "/healthz", None),
        ("mobile", "POST", "/api/login", {"npp": "10001", "password": "x" * 8, "device_id": "d"}),
        ("school", "POST", "/api/auth/login", {"nisn_nip_nik": "5001", "password": "x" * 8}),
        ("face", "POST", "/face/api/login", {"email": "a@hadir.test", "password": "x" * 8}),
        ("igd", "POST", "/igd/api/auth/login", {"email": "a@hadir.test", "password": "x" * 8}),
        ("clinic", "POST", "/api/v2/auth/login", {"email": "a@hadir.test", "password": "x" * 8}),
        ("admin", "GET", "/admin/", None),
    ]
    lines = []
    for i, (name, method, path, body) in enumerate(requests):
        client = Client(port, f"10.6.{i}.1")
        if name == "admin":
            client.cookies = dict(session_cookie)
        status, headers, data, _c = client.request(method, path, json_body=body,
                                                   headers={"Accept": "text/html"} if name == "admin" else None)
        text = data.decode(errors="replace")
        shown = re.sub(r"\s+", " ", re.search(r"<title>(.*?)</title>", text, re.S).group(1)
                       if "<title>" in text else text[:90]).strip()
        lines.append(f"db-down({label}) {name:7s} {status} Retry-After={headers.get('Retry-After') or '-'} {shown}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the Hadir checkout to serve (default: this one)")
    args = parser.parse_args()
    checkout = args.checkout.resolve()
    run = uuid.uuid4().hex
    with tempfile.TemporaryDirectory(prefix="hadir-probe-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TEST_"))}
        env.update({"DATABASE_URL": f"sqlite:///{tmp}/probe.sqlite3", "SECRET_KEY": "probe-" + run,
                    "TRUSTED_PROXIES": "1", "UPLOAD_FOLDER": f"{tmp}/uploads", "PROBE_TMP": tmp})
        flask = str(checkout / ".venv/bin/flask")
        for cmd in (["db", "upgrade"], ["demo", "load"]):
            subprocess.run([flask, "--app", "wsgi", *cmd], cwd=checkout, env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        server = Server(checkout, env)
        print(f"# checkout {checkout} ({subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=checkout, capture_output=True, text=True).stdout.strip()})")
        print(f"# server: {server.command()}")
        print(f"# REDIS_URL={env.get('REDIS_URL') or '(unset)'}; load {os.getloadavg()[0]:.2f}")
        server.start()
        try:
            lines = scenario_login_limits(server.port, run)
            lines += scenario_tokens(server.port)
            lines += scenario_cookies_and_headers(server.port, checkout, env)
            lines += scenario_passwords(server.port, run)
            signed = Client(server.port, "10.7.0.1")
            _admin_login(signed, "admin@hadir.test", DEMO_PASSWORD)
        finally:
            server.stop()
        for line in lines:
            print(line)
        for label, url in (("postgresql", "postgresql://postgres@127.0.0.1:1/hadir"),
                           ("sqlite", "sqlite:////nonexistent-folder/hadir.sqlite3")):
            down = Server(checkout, dict(env, DATABASE_URL=url))
            down.start()
            try:
                for line in scenario_database_down(down.port, label, signed.cookies):
                    print(line)
            finally:
                down.stop()


if __name__ == "__main__":
    sys.exit(main())
