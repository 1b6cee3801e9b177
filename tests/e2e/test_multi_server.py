"""Several app servers, one database: the shipped ``deploy/`` files on loopback.

Two app servers (``deploy/systemd/hadir@.service``'s command, ``deploy/gunicorn.conf.py``,
2 sync workers each) on two ports, behind nginx started with ``deploy/nginx/hadir.conf``
and ``hadir-proxy.conf`` (TLS with a throw-away certificate), on one PostgreSQL database
and one Redis, with the environment of ``deploy/systemd/hadir.env.example`` — only ports,
paths and the environment file's values differ (:mod:`deploy.loopback`).  The schema is
built by ``deploy/hadir-flask db upgrade``, as the README's production steps do.

What it shows:

- TLS ends at the proxy and the app sees https, the client's host and the client's address
  (``TRUSTED_PROXIES=1``); the app, not nginx, answers an oversized body in its dialect;
- rate limits are counted once across both servers (Redis), per client address, and a
  client cannot escape them with its own ``X-Forwarded-For``;
- a QR token shown by one server is accepted by the other (same ``SECRET_KEY``);
- a face enrolled through one server is identified at once through the other (every
  worker's cached gallery follows the version in ``cache_versions``), and the photo one
  server stored is served by the other (one ``UPLOAD_FOLDER``);
- a work schedule changed through one server judges the next check-in on the other;
- the cron lines of ``deploy/cron/hadir`` run as written, and the nightly backup of
  ``deploy/cron/hadir-backup`` restores into a new database and folder;
- with one app server stopped, nginx sends everything to the other: nothing refused,
  nothing doubled.

- ``attendance close-days`` (its cron line) started on both servers at once closes each
  missed check-out of yesterday once.
- a roster cell changed through one server's roster page judges the person's next check-in
  on the other at once.

The tests share the servers and run in file order: the backup restores the face the face
test enrolled, and the last test stops one app server for good.

Runs in the PostgreSQL pass (``TEST_DATABASE_URL=postgresql://...``; skipped in the SQLite
pass), in databases of its own next to that one (``<name>_multi_server`` and
``<name>_multi_server_restore``, emptied at each run), and in Redis database 13 with keys
unique to the run (random NPPs and client addresses), so it may run beside other suites.
Without Redis, nginx or openssl it skips, unless ``REQUIRE_REDIS`` or ``REQUIRE_NGINX`` (CI)
make a missing one a failure.  The servers start once for the module.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import ssl
import subprocess
import sys
import textwrap
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.client import HTTPConnection, HTTPSConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from deploy import loopback

pytestmark = pytest.mark.e2e

FACES = loopback.ROOT.parent / "shared" / "data" / "faces"
REDIS_URL = "redis://127.0.0.1:6379/13"
PASSWORD = "rahasia-multi-2026"
TIMEZONE = "Asia/Jakarta"
#: Inside the office's 100 m geofence (about 11 m from its centre).
INSIDE = {"latitude": "-6.2087", "longitude": "106.8456"}


# --- what the module needs ---------------------------------------------------------------

def _required(what: str, available: bool, flag: str) -> None:
    if not available:
        if os.environ.get(flag):
            pytest.fail(f"{what} is required ({flag} is set)")
        pytest.skip(f"{what} not available")


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("several app servers need PostgreSQL: runs in the PostgreSQL pass (TEST_DATABASE_URL)")
    return url


def _redis_up() -> bool:
    try:
        import redis
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=0.5).ping())
    except Exception:
        return False


# --- HTTP --------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: object
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def cookies(self) -> list[str]:
        """The raw ``Set-Cookie`` lines."""
        return self.headers.get_all("Set-Cookie") or []


@dataclass
class Client:
    """One browser or phone: a cookie jar, a source address on the loopback, TLS or not."""

    port: int
    source: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None
    cookies: dict = field(default_factory=dict)
    bearer: str | None = None

    def request(self, method: str, path: str, *, json_body=None, form: dict | None = None,
                body: bytes | None = None, content_type: str | None = None, headers: dict | None = None) -> Response:
        send = {"Accept": "application/json, text/html", **(headers or {})}
        if json_body is not None:
            body, content_type = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            body, content_type = urlencode(form, doseq=True).encode(), "application/x-www-form-urlencoded"
        if content_type:
            send["Content-Type"] = content_type
        if self.cookies:
            send["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.bearer:
            send["Authorization"] = f"Bearer {self.bearer}"
        address = (self.source, 0)
        conn = (HTTPSConnection("127.0.0.1", self.port, timeout=60, context=self.tls, source_address=address)
                if self.tls else HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=address))
        try:
            conn.request(method, path, body=body, headers=send)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        for line in response.cookies():
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw) -> Response:
        return self.request("POST", path, **kw)


def csrf_token(page: str) -> str:
    match = (re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
             or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page))
    assert match, "no CSRF token on the page"
    return match.group(1)


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body and its content type."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, data, ctype) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: {ctype}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# --- the cluster ---------------------------------------------------------------------------

@dataclass
class Cluster:
    a: int  # app server ports
    b: int
    https: int  # nginx
    http: int
    tls: ssl.SSLContext
    folder: Path
    env_file: Path
    env_values: dict
    people: dict
    schedule_id: int
    shift_ids: dict  # roster shifts: "open" (its check-in window open now), "closed" (opens in 3 h)
    forgot: list  # ids of the people who did not check out yesterday
    tablet: dict  # the paired kiosk's cookies
    servers: dict = field(default_factory=dict)
    proxy: loopback.Process | None = None
    base: str = "127.0.0.1"  # this run's client addresses: 127.x.y.<n>

    def client(self, port: int, n: int = 1, **kw) -> Client:
        """A client of app server ``port`` (plain HTTP, as nginx talks to it) from this run's address ``n``."""
        return Client(port, source=self.address(n), **kw)

    def via_proxy(self, n: int = 1, **kw) -> Client:
        """A client of the load balancer (HTTPS) from this run's address ``n``."""
        return Client(self.https, source=self.address(n), tls=self.tls, **kw)

    def address(self, n: int) -> str:
        return f"{self.base}.{n}"

    def access_log(self) -> list[str]:
        return (self.folder / "nginx" / "hadir.access.log").read_text().splitlines()

    def upstreams(self, source: str, request: str) -> list[str]:
        """The ``upstream=`` field of the access-log lines of ``request`` (e.g. ``POST /api/login``) from ``source``."""
        return [re.search(r"upstream=([^ ,]+(?:, [^ ,]+)*)", line).group(1) for line in self.access_log()
                if line.startswith(source + " ") and f'"{request} ' in line]


def fresh_database(url: str, suffix: str) -> str:
    """Conninfo of the database ``<name of url>_<suffix>`` on the same server, emptied.

    Created when missing, otherwise its schema is dropped and created again, as the suite
    does with its own database: ``DROP DATABASE`` forces a checkpoint, which takes seconds
    to minutes on a machine where other suites write.
    """
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo_to_dict(url)
    name = f"{info.pop('dbname')}_{suffix}"
    with psycopg.connect(make_conninfo(**info, dbname="postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    target = make_conninfo(**info, dbname=name)
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return target


def _postgres_uri(conninfo: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(conninfo)
    auth = info.get("user", "postgres") + (f":{info['password']}" if info.get("password") else "")
    return f"postgresql://{auth}@{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/{info['dbname']}"


def _hhmm(now: datetime, hours: float) -> str:
    return (now + timedelta(hours=hours)).strftime("%H:%M:00")


def open_schedule() -> dict:
    """A jam-kerja body (mobile dialect) whose check-in window is open now and for 2 h."""
    now = datetime.now(ZoneInfo(TIMEZONE))
    return {"nama": "Jam Kerja Multi", "start_jam_masuk": _hhmm(now, -2), "end_jam_masuk": _hhmm(now, 2),
            "start_jam_pulang": _hhmm(now, 3), "end_jam_pulang": _hhmm(now, 5), "is_active": True}


def closed_schedule() -> dict:
    """The same schedule with a check-in window that opens in 3 h."""
    now = datetime.now(ZoneInfo(TIMEZONE))
    return {"nama": "Jam Kerja Multi", "start_jam_masuk": _hhmm(now, 3), "end_jam_masuk": _hhmm(now, 5),
            "start_jam_pulang": _hhmm(now, 6), "end_jam_pulang": _hhmm(now, 8), "is_active": True}


#: The data of the run, made with the services in one process: an office, the people, the
#: work schedule, a kiosk and its pairing code, and people who checked in yesterday and
#: never checked out (for ``attendance close-days``).
ARRANGE = """
import json, sys
from datetime import timedelta
from app import create_app
from app.accounts import services as accounts
from app.attendance import services as attendance
from app.common import clock
from app.extensions import db
from app.kiosk.services import create_kiosk, issue_pairing_code
from app.places.services import create_office
from app.schedules.services import create_schedule

spec = json.loads(sys.argv[1])
app = create_app()
with app.app_context():
    office = create_office(code="0001", name="Kantor Pusat Jakarta", latitude=-6.2088, longitude=106.8456,
                           radius_m=100)
    people = {key: accounts.create_user(office=office, password=spec["password"], **values).id
              for key, values in spec["people"].items()}
    schedule = create_schedule(spec["schedule"])
    shifts = {key: create_schedule(values).id for key, values in spec["shifts"].items()}
    kiosk = create_kiosk(None, name="Lobi Kantor Pusat", office_id=office.id, modes=["face", "qr"])
    code = issue_pairing_code(kiosk).code
    yesterday = clock.now() - timedelta(days=1)  # inside yesterday's check-in window
    forgot = []
    for n in range(spec["forgot_check_out"]):
        user = accounts.create_user(name=f"Lupa Pulang {n}", role="pegawai", npp=f"{spec['npp']}{n}",
                                    password=spec["password"], office=office)
        attendance.record_attendance(user, "check_in", source="mobile_gps", latitude=-6.2087,
                                     longitude=106.8456, office=office, now=yesterday)
        forgot.append(user.id)
    db.session.commit()
    print(json.dumps({"people": people, "schedule_id": schedule.id, "shifts": shifts, "pairing_code": code,
                      "forgot": forgot}))
"""
#: People who checked in yesterday and never checked out.
FORGOT_CHECK_OUT = 6


def _people() -> dict:
    """The people of the run; NPPs and identifiers random per run (rate-limit keys live in a shared Redis)."""
    n = random.randrange(10**6, 10**7)
    return {
        "admin": {"name": "Admin HRD", "role": "admin", "email": f"admin-{n}@multi.test", "npp": f"9{n}"},
        "andi": {"name": "Andi Pratama", "role": "pegawai", "email": f"andi-{n}@multi.test", "npp": f"1{n}"},
        "rina": {"name": "Rina Wulandari", "role": "pegawai", "npp": f"2{n}"},
        "siti": {"name": "Siti Rahmawati", "role": "pegawai", "npp": f"3{n}"},
        "obama": {"name": "Barack Obama", "role": "pegawai", "npp": f"4{n}"},
        "guru": {"name": "Budi Setiawan", "role": "guru", "nisn_nip_nik": f"5{n}"},
        "dewi": {"name": "Dewi Lestari", "role": "pegawai", "npp": f"6{n}"},
        "eka": {"name": "Eka Saputra", "role": "pegawai", "npp": f"7{n}"},
    }


@pytest.fixture(autouse=True)
def _clean():
    """Overrides the suite's per-test truncation: these servers have their own database."""
    yield


@pytest.fixture(autouse=True)
def uploads():
    """Overrides the suite's per-test upload folder: these servers share their own."""
    yield


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two app servers and nginx on a fresh database, started once for the module and stopped after."""
    test_url = _postgres_url()
    _required("Redis on 127.0.0.1:6379", _redis_up(), "REQUIRE_REDIS")
    _required("nginx", bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists()), "REQUIRE_NGINX")
    _required("openssl", bool(shutil.which("openssl")), "REQUIRE_NGINX")
    if not (FACES / "probe" / "expected.json").is_file():
        pytest.fail(f"face test photos not found in {FACES}")

    folder = tmp_path_factory.mktemp("multi-server")
    conninfo = fresh_database(test_url, "multi_server")
    processes: list[loopback.Process] = []
    arrange = None
    try:
        # The environment file: the shipped keys, this run's values.
        values = loopback.read_env_file()
        assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "UPLOAD_FOLDER", "TRUSTED_PROXIES",
                "HADIR_BIND_HOST", "WEB_CONCURRENCY"} <= set(values), values
        assert values["TRUSTED_PROXIES"] == "1"  # one proxy: nginx
        values.update({"DATABASE_URL": _postgres_uri(conninfo), "REDIS_URL": REDIS_URL,
                       "SECRET_KEY": f"multi-server-{uuid.uuid4().hex}{uuid.uuid4().hex}",
                       "UPLOAD_FOLDER": str(folder / "uploads"), "HADIR_BIND_HOST": "127.0.0.1",
                       "WEB_CONCURRENCY": "2", "TIMEZONE": TIMEZONE})
        env_file = loopback.write_env_file(folder / "hadir.env", values)
        subprocess.run([str(loopback.HADIR_FLASK), "db", "upgrade"], env=loopback.hadir_flask_env(env_file),
                       check=True, capture_output=True, timeout=300)
        # The app servers and nginx start while the data is arranged (one process, the services).
        window = open_schedule()
        spec = {"password": PASSWORD, "people": _people(), "forgot_check_out": FORGOT_CHECK_OUT,
                "npp": f"8{random.randrange(10**6, 10**7)}", "schedule": {
            "name": window["nama"], "check_in_start": window["start_jam_masuk"],
            "check_in_end": window["end_jam_masuk"], "check_out_start": window["start_jam_pulang"],
            "check_out_end": window["end_jam_pulang"], "working_weekdays": "1-7", "is_active": True}}
        spec["shifts"] = {key: {"name": f"Shift {key}", "code": key[0].upper() + "X", "working_weekdays": "1-7",
                                "check_in_start": hours["start_jam_masuk"], "check_in_end": hours["end_jam_masuk"],
                                "check_out_start": hours["start_jam_pulang"], "check_out_end": hours["end_jam_pulang"]}
                          for key, hours in (("open", window), ("closed", closed_schedule()))}
        arrange = subprocess.Popen([sys.executable, "-c", textwrap.dedent(ARRANGE), json.dumps(spec)],
                                   cwd=loopback.ROOT, env=loopback.service_env(values), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        a, b, https, http = (loopback.free_port() for _ in range(4))
        for port in (a, b):
            processes.append(loopback.app_server(port, values, folder / f"gunicorn-{port}.log").start())
        cert, key = loopback.self_signed_certificate(folder)
        conf = loopback.render_nginx(folder / "nginx", [a, b], http_port=http, https_port=https, cert=cert, key=key)
        proxy = loopback.nginx(conf, folder / "nginx.log").start()
        processes.append(proxy)
        out, err = arrange.communicate(timeout=300)
        assert arrange.returncode == 0, err
        arranged = json.loads(out.strip().splitlines()[-1])
        for server, port in zip(processes, (a, b)):
            server.wait_http(port)
        tls = loopback.tls_context(cert)
        proxy.wait_http(https, context=tls)

        run = Cluster(a=a, b=b, https=https, http=http, tls=tls, folder=folder, env_file=env_file,
                      env_values=values, people={**spec["people"], **{f"{k}_id": v for k, v in
                                                                   arranged["people"].items()}},
                      schedule_id=arranged["schedule_id"], shift_ids=arranged["shifts"], forgot=arranged["forgot"], tablet={}, proxy=proxy,
                      servers={a: processes[0], b: processes[1]},
                      base=f"127.{random.randrange(1, 255)}.{random.randrange(1, 255)}")
        # The kiosk tablet is paired through server A once; its cookie works on both.
        tablet = run.client(a, 200)
        page = tablet.get(f"/kiosk/pair?code={arranged['pairing_code']}")
        paired = tablet.post("/kiosk/pair", form={"code": arranged["pairing_code"], "csrf_token": csrf_token(page.text)})
        assert paired.status == 303, paired.text[:500]
        run.tablet = dict(tablet.cookies)
        yield run
    finally:
        if arrange is not None and arrange.poll() is None:
            arrange.kill()
            arrange.wait()
        loopback.stop_all(processes)


def _mobile_login(client: Client, npp: str, device: str, password: str = PASSWORD) -> Response:
    return client.post("/api/login", json_body={"npp": npp, "password": password, "device_id": device})


def _admin_browser(cluster: Cluster, port: int) -> Client:
    """An admin signed in to the admin web app through app server ``port``."""
    browser = cluster.client(port, 10)
    page = browser.get("/admin/login")
    response = browser.post("/admin/login", form={"csrf_token": csrf_token(page.text),
                                                  "identifier": cluster.people["admin"]["email"], "password": PASSWORD})
    assert response.status in (302, 303) and "/admin/login" not in response.headers.get("Location", ""), response.text[:500]
    return browser


def _tablet(cluster: Cluster, port: int) -> tuple[Client, str]:
    """The paired kiosk talking to app server ``port``, and its page's CSRF token."""
    tablet = cluster.client(port, 200, cookies=dict(cluster.tablet))
    page = tablet.get("/kiosk/")
    assert page.status == 200, page.text[:300]
    return tablet, re.search(r'data-csrf="([^"]+)"', page.text).group(1)


# --- the proxy ----------------------------------------------------------------------------

def test_tls_ends_at_the_proxy_and_the_app_sees_the_client(cluster):
    # Plain HTTP only redirects to HTTPS.
    plain = Client(cluster.http, source=cluster.address(1)).get("/admin/")
    assert plain.status == 301 and plain.headers["Location"] == "https://127.0.0.1/admin/"
    # Over HTTPS the app answers, and knows it is HTTPS: it adds HSTS (once: nginx adds none),
    # which it does not on its own plain-HTTP port.
    client = cluster.via_proxy(1)
    health = client.get("/healthz")
    assert health.status == 200 and health.json == {"status": "ok"}
    (hsts,) = health.headers.get_all("Strict-Transport-Security")
    assert hsts.startswith("max-age=")
    assert cluster.client(cluster.a, 1).get("/healthz").headers.get("Strict-Transport-Security") is None

    # The face app's cookie is Secure behind the proxy ...
    email = cluster.people["andi"]["email"]
    origin = f"https://127.0.0.1:{cluster.https}"
    login = client.post("/face/api/login", json_body={"email": email, "password": PASSWORD},
                        headers={"Origin": origin})
    assert login.status == 200, login.text
    (cookie,) = [c for c in login.cookies() if c.startswith("token=")]
    assert "Secure" in cookie and "HttpOnly" in cookie
    # ... and not on the app server's own plain-HTTP port (so the flag came from the proxy).
    direct = cluster.client(cluster.a, 1).post("/face/api/login", json_body={"email": email, "password": PASSWORD})
    assert direct.status == 200 and "Secure" not in [c for c in direct.cookies() if c.startswith("token=")][0]
    # The app sees the host the client asked for: the same-origin check accepts the proxy's origin
    # and refuses another one.
    other = client.post("/face/api/login", json_body={"email": email, "password": PASSWORD},
                        headers={"Origin": "https://evil.example"})
    assert other.status == 403

    # A body over the app's limit (1 MiB here) passes nginx and gets the mobile dialect's own answer.
    big = client.post("/api/login", body=b"{" + b" " * (5 * 1024 * 1024) + b"}", content_type="application/json")
    assert big.status == 413 and "rcode" in big.json, big.text[:300]


# --- shared state ---------------------------------------------------------------------------

def test_rate_limits_are_counted_once_across_both_servers_per_client_address(cluster):
    """Contract 001 allows 5 logins per minute per phone; with Redis every worker of every server
    counts together.  Without it (each worker counting alone) the 4 workers would allow 20."""
    npp = cluster.people["rina"]["npp"]
    phone = cluster.via_proxy(2)
    statuses = [_mobile_login(phone, npp, "rina-phone", password="wrong-password").status for _ in range(5)]
    assert 429 not in statuses, statuses
    refused = _mobile_login(phone, npp, "rina-phone")  # even the right password now
    assert refused.status == 429 and refused.json["rcode"] == "83"
    assert int(refused.headers["Retry-After"]) > 0
    # nginx sent these six requests to both app servers.
    served = cluster.upstreams(cluster.address(2), "POST /api/login")
    assert set(served) == {f"127.0.0.1:{cluster.a}", f"127.0.0.1:{cluster.b}"}, served

    # A client cannot escape with its own X-Forwarded-For: the app takes the hop nginx added.
    spoofed = phone.post("/api/login", json_body={"npp": npp, "password": PASSWORD, "device_id": "rina-phone"},
                         headers={"X-Forwarded-For": "10.9.8.7"})
    assert spoofed.status == 429
    # The limit is per client address: the same person on another network signs in.
    elsewhere = _mobile_login(cluster.via_proxy(3), npp, "rina-phone")
    assert elsewhere.status == 200 and elsewhere.json["rcode"] == "00", elsewhere.text


def test_a_qr_token_shown_by_one_server_is_accepted_by_the_other(cluster):
    tablet, _csrf = _tablet(cluster, cluster.a)
    shown = tablet.get("/kiosk/qr.json")
    assert shown.status == 200
    token = shown.json["token"]

    teacher = cluster.client(cluster.b, 20)
    login = teacher.post("/api/auth/login", json_body={"nisn_nip_nik": cluster.people["guru"]["nisn_nip_nik"],
                                                       "password": PASSWORD})
    assert login.status == 200, login.text
    teacher.bearer = login.json["data"]["token"]
    body = {**INSIDE, "accuracy": 10}
    forged = teacher.post("/api/attendance/checkin", json_body={**body, "qr_token": ("0" if token[0] != "0" else "1")
                                                                 + token[1:]})
    assert forged.status == 400 and forged.json["message"] == "QR code tidak valid"
    accepted = teacher.post("/api/attendance/checkin", json_body={**body, "qr_token": token})
    assert accepted.status == 200, accepted.text
    assert accepted.json["success"] is True and accepted.json["data"]["qr_token_used"] == token


def test_a_face_enrolled_through_one_server_is_identified_at_once_through_the_other(cluster):
    probe = (FACES / "probe" / "obama_small.jpg").read_bytes()
    tablet, csrf = _tablet(cluster, cluster.b)

    def frame():
        response = tablet.post("/kiosk/face/frame", body=probe, content_type="image/jpeg",
                               headers={"X-CSRFToken": csrf})
        assert response.status == 200, response.text[:300]
        return response.json

    # Server B's workers cache the gallery (nobody enrolled): unknown, however often asked.
    assert [frame()["result"] for _ in range(4)] == ["unknown"] * 4

    # The admin enrols Obama through server A.
    admin = _admin_browser(cluster, cluster.a)
    person = f"/admin/faces/people/{cluster.people['obama_id']}"
    page = admin.get(person)
    assert page.status == 200
    photo = (FACES / "enroll" / "obama" / "obama.jpg").read_bytes()
    body, ctype = multipart({"csrf_token": csrf_token(page.text)}, {"photos": ("obama.jpg", photo, "image/jpeg")})
    enrolled = admin.post(f"{person}/photos", body=body, content_type=ctype)
    assert enrolled.status == 200, enrolled.text[:500]
    sample_ids = re.findall(r"/admin/faces/samples/(\d+)/photo", enrolled.text)
    assert len(set(sample_ids)) == 1, enrolled.text[:2000]

    # At once, server B knows him: checked in, and the next frame finds the check-in.
    first = frame()
    assert first["result"] == "checked_in" and first["name"] == "Barack", first
    assert frame()["result"] == "already_in"

    # The photo server A stored is served by server B (one UPLOAD_FOLDER), to the same admin
    # session (one SECRET_KEY signs it).
    admin.port = cluster.b
    stored = admin.get(f"/admin/faces/samples/{sample_ids[0]}/photo")
    assert stored.status == 200 and stored.body == photo


def test_a_work_schedule_changed_through_one_server_judges_the_next_check_in_on_the_other(cluster):
    admin = cluster.client(cluster.a, 11)
    login = _mobile_login(admin, cluster.people["admin"]["npp"], "admin-phone")
    assert login.status == 200, login.text
    admin.bearer = login.json["access_token"]
    employee = cluster.client(cluster.b, 12)
    login = _mobile_login(employee, cluster.people["andi"]["npp"], "andi-phone")
    assert login.status == 200, login.text
    employee.bearer = login.json["access_token"]
    schedule = f"/api/jam-absensi/{cluster.schedule_id}"
    try:
        changed = admin.request("PUT", schedule, json_body=closed_schedule())
        assert changed.status == 200, changed.text
        refused = employee.post("/api/absenmasuk", json_body={**INSIDE, "branch_id": "0001"})
        assert refused.json["rcode"] == "83", refused.text
    finally:
        reopened = admin.request("PUT", schedule, json_body=open_schedule())
        assert reopened.status == 200, reopened.text
    accepted = employee.post("/api/absenmasuk", json_body={**INSIDE, "branch_id": "0001"})
    assert accepted.status == 200 and accepted.json["rcode"] == "00", accepted.text


def test_an_office_added_through_one_server_is_known_at_once_to_the_other(cluster):
    """Server B's workers keep offices in memory (a check-in names its office by code); first
    they learn that office code does not exist, then an admin adds it through server A's office
    page, and the next check-in on B naming it is recorded against it at once (held for review:
    it is not the person's own office)."""
    code = f"X{random.randrange(10**5, 10**6)}"
    employee = cluster.client(cluster.b, 14)
    login = _mobile_login(employee, cluster.people["eka"]["npp"], "eka-phone")
    assert login.status == 200, login.text
    employee.bearer = login.json["access_token"]
    for _ in range(4):  # likely through both of B's workers
        unknown = employee.post("/api/absenmasuk", json_body={**INSIDE, "branch_id": code})
        assert unknown.status == 422 and "branch_id" in unknown.json["errors"], unknown.text
    admin = _admin_browser(cluster, cluster.a)
    page = admin.get("/admin/offices/new")
    created = admin.post("/admin/offices/new", form={
        "csrf_token": csrf_token(page.text), "code": code, "name": "Kantor Cabang Baru", "address": "",
        "latitude": "-6.208800", "longitude": "106.845600", "geofence_radius_m": "100", "is_active": "y"})
    assert created.status == 303, created.text[:500]
    recorded = employee.post("/api/absenmasuk", json_body={**INSIDE, "branch_id": code})
    assert recorded.status == 200 and recorded.json["rcode"] == "00", recorded.text
    assert recorded.json["data"]["status"] == "pending_review", recorded.text
    assert recorded.json["data"]["reason"] == "wrong_office", recorded.text


def test_a_roster_changed_through_one_server_is_followed_by_the_other(cluster):
    """An admin sets a person's roster cell for today through server A's roster page (a shift
    whose check-in opens in 3 h): their check-in on server B is refused at once; the admin
    sets a shift open now, and the next check-in on server B is accepted."""
    person = cluster.people["dewi_id"]
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    # yesterday's cell too: near midnight the "open" window (now - 2 h .. now + 2 h) crosses it,
    # and a check-in after midnight belongs to the shift that started yesterday evening
    cells = [f"/admin/rosters/cell/{person}/{day.isoformat()}" for day in (today - timedelta(days=1), today)]
    admin = _admin_browser(cluster, cluster.a)
    employee = cluster.client(cluster.b, 13)
    login = _mobile_login(employee, cluster.people["dewi"]["npp"], "dewi-phone")
    assert login.status == 200, login.text
    employee.bearer = login.json["access_token"]

    def roster(shift: str) -> None:
        for cell in cells:
            page = admin.get(cell)
            assert page.status == 200, page.text[:300]
            changed = admin.post(cell, form={"csrf_token": csrf_token(page.text),
                                             "choice": f"schedule-{cluster.shift_ids[shift]}"})
            assert changed.status == 303, changed.text[:300]

    roster("closed")
    refused = employee.post("/api/absenmasuk", json_body={**INSIDE, "branch_id": "0001"})
    assert refused.json["rcode"] == "83", refused.text
    roster("open")
    accepted = employee.post("/api/absenmasuk", json_body={**INSIDE, "branch_id": "0001"})
    assert accepted.status == 200 and accepted.json["rcode"] == "00", accepted.text


def test_close_days_on_both_servers_at_once_changes_each_day_once(cluster):
    """``attendance close-days`` (the line of ``deploy/cron/hadir``) started on both servers at
    the same moment: the days whose check-out was missed yesterday are closed once each."""
    import psycopg

    (argv,) = [argv for _, argv in loopback.cron_commands() if argv[1:] == ["attendance", "close-days"]]
    ids = cluster.forgot
    env = loopback.hadir_flask_env(cluster.env_file)
    runs = [subprocess.Popen(loopback.localise_command(argv), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _server in (cluster.a, cluster.b)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    closed = [int(re.search(r"closed (\d+)", out).group(1)) for out, _err in outputs]
    assert sum(closed) == len(ids), outputs
    with psycopg.connect(cluster.env_values["DATABASE_URL"]) as conn:
        rows = conn.execute("SELECT user_id, count(*) FROM attendance_events WHERE kind = 'check_out' "
                            "AND user_id = ANY(%s) GROUP BY user_id", (ids,)).fetchall()
    assert sorted(rows) == [(user_id, 1) for user_id in sorted(ids)]


def test_the_cron_lines_run_as_written(cluster):
    commands = [argv for _, argv in loopback.cron_commands()]
    assert ["escorts", "prune-sessions"] in [argv[1:] for argv in commands]
    env = loopback.hadir_flask_env(cluster.env_file)
    runs = [subprocess.Popen(loopback.localise_command(argv), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for argv in commands]
    for argv, run in zip(commands, runs):
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, (argv, err)
        if argv[1:] == ["escorts", "prune-sessions"]:
            assert "idle ER API session(s) removed" in out


def _count(conninfo: str, table: str) -> int:
    import psycopg

    with psycopg.connect(conninfo) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_the_nightly_backup_restores_the_database_and_the_uploads(cluster):
    """``deploy/cron/hadir-backup``'s line, run twice; the first backup restored into a new
    database and folder holds the people, the face sample and its photo; the second backup
    shares the unchanged photo with the first (a hard link, not a second copy)."""
    import psycopg

    ((_, argv),) = loopback.cron_commands(loopback.BACKUP_CRON)
    backups = cluster.folder / "backups"
    env = {**loopback.hadir_flask_env(cluster.env_file)}
    command = loopback.localise_command(argv, {"/var/backups/hadir": str(backups)})
    for _ in range(2):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("backup "), done.stdout
    first, second = sorted(backups.iterdir())
    assert first.name < second.name and not list(backups.glob("*.partial"))

    live = cluster.env_values["DATABASE_URL"]
    target = fresh_database(live, "restore")
    subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", target, str(first / "hadir.dump")],
                   check=True, capture_output=True, timeout=300)
    for table in ("users", "face_samples", "attendance_events", "cache_versions"):
        assert _count(target, table) == _count(live, table) > 0, table
    with psycopg.connect(target) as conn:
        (photo_path,) = conn.execute("SELECT photo_path FROM face_samples").fetchone()
        conn.execute("DROP SCHEMA public CASCADE")  # leave the restored copy empty
        conn.commit()
    photo = (FACES / "enroll" / "obama" / "obama.jpg").read_bytes()
    assert (first / "uploads" / photo_path).read_bytes() == photo
    assert (second / "uploads" / photo_path).stat().st_ino == (first / "uploads" / photo_path).stat().st_ino


# --- one server down (last: it stays down) -----------------------------------------------------

def test_with_one_server_stopped_the_other_serves_everything_once(cluster):
    phone = cluster.via_proxy(4)
    login = _mobile_login(phone, cluster.people["siti"]["npp"], "siti-phone")
    assert login.status == 200, login.text
    phone.bearer = login.json["access_token"]

    cluster.servers[cluster.a].stop()  # what `systemctl stop hadir@PORT` does: SIGTERM, graceful
    checked_in = phone.post("/api/absenmasuk", json_body={**INSIDE, "branch_id": "0001"})
    assert checked_in.status == 200 and checked_in.json["rcode"] == "00", checked_in.text
    statuses = [phone.get("/healthz").status for _ in range(4)]
    assert statuses == [200] * 4
    # nginx tried the stopped server, then the other one, without sending the check-in twice.
    served = cluster.upstreams(cluster.address(4), "POST /api/absenmasuk")
    assert served in ([f"127.0.0.1:{cluster.a}, 127.0.0.1:{cluster.b}"], [f"127.0.0.1:{cluster.b}"]), served
    today = datetime.now(ZoneInfo(TIMEZONE))
    history = phone.post("/api/getabsen", json_body={"year": str(today.year), "month": str(today.month)})
    assert [d["jam_masuk"] is not None for d in history.json["data"]].count(True) == 1
