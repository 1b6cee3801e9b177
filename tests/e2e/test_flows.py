"""End to end: gunicorn serves Hadir, the contract's two flows run over real HTTP.

Contract 001 (Absensi Mobile), "Contoh Flow Penggunaan":

- *Flow Login dan Absen Masuk*: login → kantor → absenmasuk inside the
  geofence → a second absenmasuk is refused with rcode 82;
- *Flow Reset Device*: a new phone is refused ("Device Tidak Sesuai"), the
  user files a device reset, sees it pending, an admin approves it, the old
  phone's token stops working and the new phone logs in.

The server is a real ``gunicorn -w 2`` process on 127.0.0.1 and a free port,
against a fresh database: a SQLite file in ``tmp_path``, or the PostgreSQL
database of ``TEST_DATABASE_URL`` (its schema was built by the session ``app``
fixture and emptied by the autouse ``_clean`` fixture).  Offices and users are
arranged with the ``flask`` commands, so the CLI is exercised too; the work
schedule is created by an admin through ``POST /api/jam-absensi``; the device
reset is approved by an admin signed in to the admin web app (form post with
the page's CSRF token), or, in a build without that page, by the service the
page calls.
"""
from __future__ import annotations

import html
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "e2e-secret-key-not-for-production-0123456789abcdef"
PASSWORD = "rahasia-e2e-2026"
ADMIN_PASSWORD = "admin-e2e-2026"
OFFICE = {"code": "0001", "name": "Kantor Pusat Jakarta", "lat": "-6.2088", "lon": "106.8456", "radius": "100"}
#: About 22 m north of the office centre: inside the 100 m geofence.
INSIDE = {"latitude": "-6.2086", "longitude": "106.8456", "branch_id": "0001"}
TIMEZONE = "Asia/Jakarta"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Server:
    """A running gunicorn plus the environment it was started with."""

    def __init__(self, base_env: dict, port: int, log: Path):
        self.env = base_env
        self.port = port
        self.log = log
        self.proc: subprocess.Popen | None = None

    # --- process ------------------------------------------------------------

    def start(self) -> None:
        self._log_fh = open(self.log, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}",
             "--graceful-timeout", "5", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=self._log_fh, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.proc.returncode}:\n{_tail(self.log)}")
            try:
                status, body = self.request("GET", "/healthz", timeout=2)
                if status == 200 and body == {"status": "ok"}:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer /healthz within 30 s:\n{_tail(self.log)}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        if getattr(self, "_log_fh", None):
            self._log_fh.close()

    # --- HTTP ---------------------------------------------------------------

    def request(self, method: str, path: str, body: dict | None = None, token: str | None = None,
                timeout: float = 15) -> tuple[int, dict | None]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            ctype = response.getheader("Content-Type", "")
        finally:
            conn.close()
        return response.status, (json.loads(raw) if raw and "json" in ctype else None)

    def post(self, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict | None]:
        return self.request("POST", path, body if body is not None else {}, token)

    # --- CLI ----------------------------------------------------------------

    def flask(self, *args: str) -> str:
        """Run ``flask --app wsgi ARGS`` against the server's database; return its output."""
        return _run([sys.executable, "-m", "flask", "--app", "wsgi", *args], self.env)

    def python(self, code: str) -> str:
        """Run a Python snippet with the server's environment (same database, same key)."""
        return _run([sys.executable, "-c", textwrap.dedent(code)], self.env)


class Browser:
    """A cookie-keeping form client for the admin web app (HTML pages, CSRF tokens)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        headers = {"Accept": "text/html"}
        data = None
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), text
        finally:
            conn.close()

    @staticmethod
    def csrf_token(page: str) -> str:
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
            re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
        assert match, "no CSRF token on the page"
        return html.unescape(match.group(1))

    def sign_in(self, identifier: str, password: str) -> None:
        status, _, page = self.request("GET", "/admin/login")
        assert status == 200, page[:500]
        status, headers, page = self.request("POST", "/admin/login", {
            "csrf_token": self.csrf_token(page), "identifier": identifier, "password": password})
        assert status in (302, 303), (status, page[:1000])
        assert "/admin/login" not in headers.get("Location", ""), headers


def _run(argv: list[str], env: dict) -> str:
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(argv[2:])} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def server(tmp_path):
    """gunicorn (2 sync workers) on 127.0.0.1 against a fresh database; stopped at teardown."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "FLASK_APP", "FLASK_DEBUG") and not k.startswith("MOUNT_")}
    env.update({
        "SECRET_KEY": SECRET_KEY,
        "TIMEZONE": TIMEZONE,
        "RATELIMIT_ENABLED": "1",
        "PYTHONUNBUFFERED": "1",
    })
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if pg_url:
        # The session ``app`` fixture built this schema with the migrations and the
        # autouse ``_clean`` fixture has just emptied it.
        env["DATABASE_URL"] = pg_url
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    srv = Server(env, _free_port(), tmp_path / "gunicorn.log")
    if not pg_url:
        srv.flask("db", "upgrade")
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


def _schedule_around_now() -> dict:
    """A jam-kerja body whose check-in window is open now (local time) and stays open for 2 h."""
    now = datetime.now(ZoneInfo(TIMEZONE))

    def hhmm(delta_h: int) -> str:
        return (now + timedelta(hours=delta_h)).strftime("%H:%M:00")

    return {"nama": "Jam Kerja E2E", "start_jam_masuk": hhmm(-2), "end_jam_masuk": hhmm(2),
            "start_jam_pulang": hhmm(3), "end_jam_pulang": hhmm(5), "is_active": True}


def _arrange(server: Server) -> None:
    """Office and people with the CLI, the work schedule by an admin over the API."""
    out = server.flask("office", "create", "--code", OFFICE["code"], "--name", OFFICE["name"],
                       "--lat", OFFICE["lat"], "--lon", OFFICE["lon"], "--radius", OFFICE["radius"])
    assert "created office 0001" in out
    out = server.flask("user", "create", "--name", "Admin HRD", "--password", ADMIN_PASSWORD, "--role", "admin",
                       "--email", "admin@e2e.test", "--npp", "90001", "--office", "0001")
    assert "created user" in out
    for npp, name in (("10001", "Andi Pratama"), ("10002", "Siti Rahmawati")):
        server.flask("user", "create", "--name", name, "--password", PASSWORD, "--role", "pegawai",
                     "--npp", npp, "--office", "0001")
    # A duplicate NPP is refused by the CLI with a non-zero exit.
    dup = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "user", "create", "--name", "X",
                          "--password", PASSWORD, "--role", "pegawai", "--npp", "10001"],
                         cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=120)
    assert dup.returncode == 1 and "npp" in dup.stderr, (dup.stdout, dup.stderr)

    status, body = server.post("/api/login", {"npp": "90001", "password": ADMIN_PASSWORD, "device_id": "admin-phone"})
    assert status == 200 and body["rcode"] == "00", body
    admin_token = body["access_token"]
    status, body = server.post("/api/jam-absensi", _schedule_around_now(), admin_token)
    assert status == 201 and body["rcode"] == "00", body
    assert body["data"]["is_active"] is True


def test_flow_login_and_check_in(server):
    """Flow Login dan Absen Masuk."""
    _arrange(server)

    # 1. login → access_token (and the phone is bound)
    status, body = server.post("/api/login", {"npp": "10001", "password": PASSWORD, "device_id": "andi-phone-1"})
    assert status == 200, body
    assert body["rcode"] == "00" and body["message"] == "authenticated"
    assert body["nama"] == "Andi Pratama" and body["kode_kantor"] == "0001" and body["group"] == "User"
    assert body["token_type"] == "Bearer" and body["access_token"].count(".") == 2
    token = body["access_token"]

    # Without a token the attendance endpoints answer 401 with the contract's body.
    status, body = server.post("/api/absenmasuk", INSIDE)
    assert status == 401 and body == {"message": "Token not provided"}

    # 2. kantor → coordinates and radius
    status, body = server.post("/api/kantor", {"kode_kantor": "0001"}, token)
    assert status == 200 and body["rcode"] == "00", body
    office = body["data"]
    assert office["kode_kantor"] == "0001" and office["radius"] == 100
    assert (office["latitude"], office["longitude"]) == ("-6.2088", "106.8456")

    # 3. (the phone compares its GPS with the office) 4. absenmasuk → accepted
    status, body = server.post("/api/absenmasuk", INSIDE, token)
    assert status == 200, body
    assert body["rcode"] == "00" and body["message"] == "Check-in successful"
    assert body["data"]["status"] == "accepted" and body["data"]["distance_m"] < 100

    # A second check-in the same day: rcode 82, nothing recorded.
    status, body = server.post("/api/absenmasuk", INSIDE, token)
    assert body["rcode"] == "82", body
    assert body["message"] == "You have already checked in today"
    assert status == 400

    # The history shows exactly one day with the check-in time.
    today = datetime.now(ZoneInfo(TIMEZONE))
    status, body = server.post("/api/getabsen", {"year": str(today.year), "month": str(today.month)}, token)
    assert status == 200 and body["rcode"] == "00", body
    days = [d for d in body["data"] if d["jam_masuk"]]
    assert len(days) == 1 and days[0]["jam_keluar"] is None


def test_flow_device_reset(server, app):
    """Flow Reset Device."""
    _arrange(server)
    npp = "10002"

    # Phone A: login binds it, and its token works.
    status, body = server.post("/api/login", {"npp": npp, "password": PASSWORD, "device_id": "siti-phone-A"})
    assert status == 200 and body["rcode"] == "00", body
    token_a = body["access_token"]
    status, body = server.post("/api/kantor", {"kode_kantor": "0001"}, token_a)
    assert status == 200 and body["rcode"] == "00", body

    # 1. Phone B: "Device Tidak Sesuai" (rcode 81).
    status, body = server.post("/api/login", {"npp": npp, "password": PASSWORD, "device_id": "siti-phone-B"})
    assert body["rcode"] == "81", body
    assert body["message"].startswith("Device Tidak Sesuai")
    assert "access_token" not in body

    # 2. device-reset/request → 201 pending, naming the old phone.
    reason = "Handphone rusak dan sudah diganti dengan yang baru"
    status, body = server.post("/api/device-reset/request", {"npp": npp, "reason": reason})
    assert status == 201, body
    assert body["rcode"] == "00"
    request = body["data"]
    assert request["status"] == "pending" and request["npp"] == npp
    assert request["old_device_id"] == "siti-phone-A" and request["reason"] == reason
    assert request["created_at"].endswith("Z")

    # A second request while one is pending: rcode 82.
    status, body = server.post("/api/device-reset/request", {"npp": npp, "reason": reason})
    assert body["rcode"] == "82", body

    # 3. my-request → pending
    status, body = server.post("/api/device-reset/my-request", {"npp": npp})
    assert status == 200 and body["rcode"] == "00", body
    assert [(r["id"], r["status"]) for r in body["data"]] == [(request["id"], "pending")]
    assert body["data"][0]["processed_by"] is None and body["data"][0]["processed_at"] is None

    # The admin approves.
    if "accounts.device_reset_approve" in app.view_functions:
        # In the admin web app, as a browser would: sign in, open the device-reset
        # page, post its "Approve" form with the page's CSRF token.
        browser = Browser(server.port)
        browser.sign_in("90001", ADMIN_PASSWORD)
        status, _, page = browser.request("GET", "/admin/device-resets")
        assert status == 200, page[:1000]
        assert "siti-phone-A" in page
        action = re.search(rf'action="(/admin/device-resets/{request["id"]}/approve[^"]*)"', page)
        assert action, "no approve form for the request on the page"
        status, headers, page = browser.request("POST", html.unescape(action.group(1)),
                                                {"csrf_token": browser.csrf_token(page)})
        assert status in (302, 303), (status, page[:1000])
        # Without the CSRF token the same post is refused.
        status, _, _ = browser.request("POST", html.unescape(action.group(1)), {})
        assert status == 400
    else:
        # No approval page in the admin web app: run the service that page calls, in
        # a separate process with create_app() against the server's database.
        server.python(f"""
            from app import create_app
            from app.accounts import services as accounts
            from app.accounts.models import DeviceResetRequest
            from app.extensions import db

            app = create_app()
            with app.app_context():
                admin = accounts.find_by_npp("90001")
                req = db.session.get(DeviceResetRequest, {int(request["id"])})
                accounts.process_device_reset(req, admin, approve=True, notes="HP baru sudah dicek")
                db.session.commit()
        """)

    # my-request → approved, by whom and when
    status, body = server.post("/api/device-reset/my-request", {"npp": npp})
    assert status == 200 and body["rcode"] == "00", body
    approved = body["data"][0]
    assert approved["id"] == request["id"] and approved["status"] == "approved"
    assert approved["processed_by"] == "Admin HRD" and approved["processed_at"].endswith("Z")

    # The old phone's token is dead: its device binding was released.
    status, body = server.post("/api/kantor", {"kode_kantor": "0001"}, token_a)
    assert status == 401 and body == {"message": "Token is invalid"}

    # 4. Phone B logs in now, and its token works.
    status, body = server.post("/api/login", {"npp": npp, "password": PASSWORD, "device_id": "siti-phone-B"})
    assert status == 200 and body["rcode"] == "00", body
    token_b = body["access_token"]
    status, body = server.post("/api/kantor", {"kode_kantor": "0001"}, token_b)
    assert status == 200 and body["rcode"] == "00", body

    # ... and phone A is now refused for this user.
    status, body = server.post("/api/login", {"npp": npp, "password": PASSWORD, "device_id": "siti-phone-A"})
    assert body["rcode"] == "81", body

