"""The sign-in limits hold when Hadir is served the way the README's ``make run`` serves it.

The server is the gunicorn line of the Makefile's ``run`` target, as written there (with
``$(BIN)``, ``$(HOST)`` and ``$(PORT)`` filled in), on the test database:

- without ``REDIS_URL`` (the embedded default) it is one worker process with threads;
- with ``REDIS_URL`` it is two worker processes whose counters live in Redis — the
  attempts are sent concurrently and the access log (``pid=<...>``) shows both workers
  answered them;
- asking for two processes without ``REDIS_URL`` is refused at start.

Each server is started once for the module; each test signs in from its own client
address (``TRUSTED_PROXIES=1`` + ``X-Forwarded-For``) with identifiers unique to the run,
so counters of other tests and other runs sharing the Redis server never mix in.
"""
from __future__ import annotations

import http.client
import ipaddress
import itertools
import json
import os
import random
import re
import signal
import socket
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from .conftest import PASSWORD

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
#: A Redis database number no other test uses.
REDIS_URL = "redis://127.0.0.1:6379/13"
RUN = uuid.uuid4().hex[:8]
# Client addresses (X-Forwarded-For) from the benchmarking block 198.18.0.0/15 (RFC 2544), at a
# random offset per run: the Redis server is shared, so two runs on one machine must not meet
# each other's per-address counters.
_address_numbers = itertools.count(int(ipaddress.ip_address("198.18.0.0")) + random.randrange(0, 2**17 - 1000))


def _new_address() -> str:
    return str(ipaddress.ip_address(next(_address_numbers)))


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_command(port: int) -> str:
    """The gunicorn line of the Makefile's ``run`` recipe, variables filled in."""
    recipe = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    line = next(ln.strip() for ln in recipe.splitlines() if "gunicorn" in ln)
    return (line.replace("$(BIN)", str(ROOT / ".venv" / "bin")).replace("$(HOST)", "127.0.0.1")
            .replace("$(PORT)", str(port)))


class RunServer:
    """``make run``'s gunicorn on a free port, its output in ``log``."""

    def __init__(self, database_url: str, tmp: Path, redis: bool, extra_env: dict | None = None):
        self.port = _free_port()
        self.log = tmp / f"gunicorn-{self.port}.log"
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "WEB_CONCURRENCY", "DATABASE_URL")}
        env.update(DATABASE_URL=database_url, SECRET_KEY="security-e2e-" + RUN, TRUSTED_PROXIES="1",
                   UPLOAD_FOLDER=str(tmp / "uploads"), **(extra_env or {}))
        if redis:
            env["REDIS_URL"] = REDIS_URL
        self.env = env
        self.proc = None

    def start(self, wait: bool = True):
        self._fh = open(self.log, "wb")
        self.proc = subprocess.Popen(["sh", "-c", run_command(self.port)], cwd=ROOT, env=self.env,
                                     stdout=self._fh, stderr=subprocess.STDOUT, start_new_session=True)
        if not wait:
            return self
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"gunicorn exited {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                return self
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer in 60 s:\n{self.log.read_text()[-3000:]}")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self._fh.close()

    def worker_pids(self) -> set[int]:
        """Pids of the gunicorn worker processes (children of the master)."""
        master = int(re.search(r"Listening at: \S+ \((\d+)\)", self.log.read_text()).group(1))
        children = set()
        for task in Path(f"/proc/{master}/task").iterdir():
            children.update(int(p) for p in (task / "children").read_text().split())
        return children

    def answering_pids(self, marker: str) -> set[int]:
        """Pids of the workers that logged a request whose log line contains ``marker``."""
        return {int(p) for line in self.log.read_text().splitlines() if marker in line
                for p in re.findall(r"pid=<(\d+)>", line)}


class Browser:
    """One client (its own cookies) speaking from ``address``."""

    def __init__(self, port: int, address: str):
        self.port, self.address, self.cookies = port, address, {}

    def send(self, method, path, *, json_body=None, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"X-Forwarded-For": self.address, "User-Agent": f"security-e2e {RUN}"}
        body = None
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body), "application/json"
        if form is not None:
            body, headers["Content-Type"] = urlencode(form), "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for line in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, data


def sign_in(port: int, address: str, app_name: str, identifier: str, password: str) -> int:
    """One sign-in attempt in ``app_name`` from ``address`` (a fresh client); returns the status."""
    browser = Browser(port, address)
    if app_name == "admin":
        _status, page = browser.send("GET", "/admin/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        return browser.send("POST", "/admin/login", form={"csrf_token": token, "identifier": identifier,
                                                           "password": password})[0]
    path, body = {
        "mobile": ("/api/login", {"npp": identifier, "password": password, "device_id": "phone-1"}),
        "school": ("/api/auth/login", {"nisn_nip_nik": identifier, "password": password}),
        "face": ("/face/api/login", {"email": identifier, "password": password}),
        "igd": ("/igd/api/auth/login", {"email": identifier, "password": password}),
        "clinic": ("/api/v2/auth/login", {"email": identifier, "password": password}),
    }[app_name]
    return browser.send("POST", path, json_body=body)[0]


def concurrently(calls, workers: int = 4) -> list:
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda call: call(), calls))


@pytest.fixture(scope="module")
def servers(app, database_url, tmp_path_factory):
    """The default server (no Redis) and, when Redis answers on 127.0.0.1, the Redis one."""
    tmp = tmp_path_factory.mktemp("run-servers")
    started = {"default": RunServer(database_url, tmp, redis=False).start()}
    if _redis_up():
        started["redis"] = RunServer(database_url, tmp, redis=True).start()
    elif os.environ.get("REQUIRE_REDIS"):
        pytest.fail("no Redis on 127.0.0.1:6379 (REQUIRE_REDIS is set)")
    yield started
    for server in started.values():
        server.stop()


def _server(servers, name) -> RunServer:
    if name not in servers:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return servers[name]


@pytest.fixture
def staff(factory):
    """The account of the run (a petugas: every app lets one in), identifiers unique to the run."""
    number = str(uuid.uuid4().int)[:6]
    user = factory.user(role="petugas", name="Staf", email=f"staf-{RUN}@hadir.test", npp=f"3{number}",
                        nisn_nip_nik=f"4{number}")
    return {"mobile": user.npp, "school": user.nisn_nip_nik, "face": user.email, "igd": user.email,
            "clinic": user.email, "admin": user.email}


def test_without_redis_the_run_command_serves_one_process_with_threads(servers):
    server = servers["default"]
    assert len(server.worker_pids()) == 1
    assert "Using worker: gthread" in server.log.read_text()


def test_with_redis_the_run_command_serves_two_worker_processes(servers):
    assert len(_server(servers, "redis").worker_pids()) == 2


@pytest.mark.parametrize("server_name, app_name", [
    ("default", "mobile"), ("default", "admin"),
    *[("redis", name) for name in ("mobile", "school", "face", "igd", "clinic", "admin")],
])
def test_twenty_wrong_passwords_for_one_account_check_five(servers, staff, server_name, app_name):
    server = _server(servers, server_name)
    address = _new_address()
    statuses = concurrently([lambda: sign_in(server.port, address, app_name, staff[app_name], "wrong-password")] * 20)
    assert sum(1 for s in statuses if s != 429) == 5, statuses
    if server_name == "redis":
        assert len(server.answering_pids(f"security-e2e {RUN}")) == 2, "both workers answered attempts"


@pytest.mark.parametrize("server_name", ["default", "redis"])
def test_thirty_accounts_from_one_address_get_twenty_checks(servers, staff, server_name):
    """Credential stuffing (the mobile app: an unknown NPP costs no hashing, which keeps it quick).

    One after another: only refusals count, so requests in flight together when the budget
    runs out are each let through (at most the server's concurrency more; README)."""
    server = _server(servers, server_name)
    address = _new_address()
    statuses = [sign_in(server.port, address, "mobile", f"9{RUN[:5]}{n:02d}", "wrong-password") for n in range(30)]
    assert statuses == [404] * 20 + [429] * 10, statuses
    assert sign_in(server.port, address, "face", staff["face"], PASSWORD) == 429  # then even a right password
    assert sign_in(server.port, _new_address(), "face", staff["face"], PASSWORD) == 200


def test_two_processes_without_redis_are_refused(database_url, tmp_path):
    server = RunServer(database_url, tmp_path, redis=False, extra_env={"WEB_CONCURRENCY": "2"}).start(wait=False)
    try:
        assert server.proc.wait(timeout=60) != 0
    finally:
        server.stop()
    assert "2 worker processes without REDIS_URL" in server.log.read_text()
