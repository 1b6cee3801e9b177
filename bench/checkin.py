#!/usr/bin/env python3
"""Check-in benchmark: Hadir's ``POST /api/absenmasuk`` against a bare Flask app.

A benchmark, not a test: ``.venv/bin/python bench/checkin.py [--db sqlite|postgres] [--floor]``.
Everything runs on 127.0.0.1 and ends by itself (see bench/README.md).

1. **Saturation** (wrk 4.1, 32 connections, ``bench/checkin.lua``): gunicorn
   (``--workers`` sync workers) serves Hadir on a fresh database with 2,000
   employees, one office, a work schedule whose check-in window is open now, and a
   bound phone per employee; every request carries a different employee's JWT
   (minted with ``issue_access_token``, same ``SECRET_KEY`` as the server).  Then
   the same gunicorn configuration serves ``bench/bare_app.py`` (a constant JSON on
   POST) and wrk sends it the same requests.  Prints requests/s, p50/p99 and the
   ratio Hadir / bare.
2. **Open loop** (loadtest 8.2.1, ``bench/loadtest/run.mjs``): a fresh database,
   re-seeded, and a fixed *arrival rate* of 200 check-ins/s (not a fixed number of
   connections), each employee once; prints p50/p99.

After each Hadir run the check-ins in the database are counted: exactly one per
employee (2,000) or the run is reported as MISMATCH.  Rate limits stay enabled
(60/min per user; each employee checks in once).

3. **Floor** (``--floor``): after the bare app, ``bench/floor_app.py`` (the least any Flask
   app does for a check-in: the token verified, the rate limit, one SELECT, the geofence,
   the two INSERTs with Hadir's durability; raw driver, no extension) on a freshly seeded
   database, the same gunicorn configuration and the same wrk run; prints its rate, the
   ratios floor / bare and Hadir / floor, and its count (exactly 2,000, else MISMATCH).
   With the open loop, the floor gets the same 200/s run on a fresh database after Hadir's.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import http.client
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LUA_SCRIPT = BENCH / "checkin.lua"
LOADTEST_DIR = BENCH / "loadtest"
SECRET_KEY = "bench-secret-key-not-for-production-0123456789abcdef"
PASSWORD = "bench-password-2026"
OFFICE = dict(code="0001", name="Kantor Pusat Jakarta", latitude=-6.2088, longitude=106.8456, radius_m=100)
#: About 11 m from the office centre: inside the 100 m geofence.
CHECK_IN_BODY = '{"latitude":"-6.2087","longitude":"106.8456","branch_id":"0001"}'
PG_DEFAULT = "postgresql://postgres@127.0.0.1/hadir_bench"
PATH = "/api/absenmasuk"


# --- seeding (runs in a child process: python bench/checkin.py _seed ...) ------------

def seed(employees: int, tokens_out: Path) -> None:
    """Fill the (migrated, empty) database of ``DATABASE_URL`` and write one JWT per employee.

    Employees are inserted in bulk with one precomputed argon2 hash; each gets a
    device binding ``bench-phone-<npp>`` and a token minted for that device.
    """
    sys.path.insert(0, str(ROOT))
    from datetime import datetime, timedelta
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from sqlalchemy import insert, select

    from app import create_app
    from app.accounts.models import DeviceBinding, User
    from app.accounts.passwords import hash_password
    from app.api.mobile.tokens import issue_access_token
    from app.common import clock
    from app.extensions import db
    from app.places.services import create_office
    from app.schedules.services import create_schedule

    app = create_app()
    assert app.config["SECRET_KEY"] == SECRET_KEY
    with app.app_context():
        office = create_office(**OFFICE)
        local_now = datetime.now(ZoneInfo(app.config["TIMEZONE"]))

        def at(hours: int) -> str:
            return (local_now + timedelta(hours=hours)).strftime("%H:%M:00")

        # The check-in window is open from 2 h ago to 2 h from now (it may cross midnight).
        create_schedule({"name": "Jam Kerja Bench", "check_in_start": at(-2), "check_in_end": at(2),
                         "check_out_start": at(3), "check_out_end": at(5), "is_active": True})
        password_hash = hash_password(PASSWORD)
        now = clock.now()
        db.session.execute(insert(User), [
            dict(name=f"Pegawai {i:05d}", role="pegawai", npp=f"{100000 + i}", password_hash=password_hash,
                 office_id=office.id, is_active=True, created_at=now, updated_at=now)
            for i in range(employees)
        ])
        users = db.session.execute(select(User.id, User.npp).where(User.role == "pegawai").order_by(User.id)).all()
        db.session.execute(insert(DeviceBinding), [
            dict(user_id=uid, device_id=f"bench-phone-{npp}", bound_at=now) for uid, npp in users
        ])
        db.session.commit()
        tokens = [issue_access_token(SimpleNamespace(id=uid, npp=npp), f"bench-phone-{npp}")[0]
                  for uid, npp in users]
    tokens_out.write_text("\n".join(tokens) + "\n")


def time_in_process(app_name: str, tokens_file: Path) -> None:
    """Time one check-in per token of ``tokens_file`` through Flask's test client (no server, no
    network) in this process and print ``CPU <cpu s> <wall s> <requests> <answers 00>``.

    ``app_name``: ``bare`` (bench/bare_app.py), ``floor`` (bench/floor_app.py) or ``hadir``
    (``create_app()``, rate limits on as in the server runs).  The database and settings come
    from the environment (:func:`server_env`).  A warm-up of 64 requests without a position
    (refused, nothing recorded) comes first, as in the server runs.
    """
    sys.path.insert(0, str(BENCH))
    sys.path.insert(0, str(ROOT))
    if app_name == "bare":
        from bare_app import app
    elif app_name == "floor":
        from floor_app import app
    else:
        from app import create_app
        app = create_app()
    client = app.test_client()
    tokens = tokens_file.read_text().split()
    headers = {"Content-Type": "application/json"}
    for token in tokens[:64]:
        client.post(PATH, data='{"branch_id":"0001"}', headers={**headers, "Authorization": f"Bearer {token}"})
    accepted = 0
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for token in tokens:
        response = client.post(PATH, data=CHECK_IN_BODY, headers={**headers, "Authorization": f"Bearer {token}"})
        accepted += response.status_code == 200 and b'"rcode":"00"' in response.data
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(f"CPU {cpu:.6f} {wall:.6f} {len(tokens)} {accepted}")


def cpu_view(args, tmp: Path) -> dict:
    """``--cpu N``: CPU and wall ms per check-in of bare, floor and Hadir in-process, ``args.rounds``
    rounds alternating, each app on a freshly seeded database of N employees; returns the medians."""
    import statistics

    db = Database(args.db, tmp, args.pg_url)
    env = server_env(db, args)
    rows: dict[str, list[tuple[float, float]]] = {"bare": [], "floor": [], "hadir": []}
    try:
        for r in range(args.rounds):
            for name in rows:
                tokens_file = prepare_hadir(db, env, tmp, args.cpu, f"cpu-{name}")
                out = run([sys.executable, str(Path(__file__).resolve()), "_cpu", name, str(tokens_file)], env,
                          f"in-process {name}")
                cpu, wall, n, accepted = out.split()[-4:]
                if int(accepted) != int(n):
                    raise SystemExit(f"in-process {name}: {accepted} of {n} check-ins accepted")
                rows[name].append((float(cpu) * 1000 / int(n), float(wall) * 1000 / int(n)))
                log(f"  round {r + 1} {name}: CPU {rows[name][-1][0]:.3f} ms, wall {rows[name][-1][1]:.3f} ms "
                    "per check-in")
    finally:
        db.drop()
    return {name: {"cpu_ms": statistics.median(c for c, _ in v), "wall_ms": statistics.median(w for _, w in v),
                   "rounds": v} for name, v in rows.items()}


# --- helpers ---------------------------------------------------------------------------

def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(argv: list[str], env: dict, what: str, timeout: float = 300) -> str:
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise SystemExit(f"{what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def post(port: int, path: str, body: str, token: str | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request("POST", path, body=body.encode(), headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Database:
    """A fresh database for one Hadir run: a SQLite file, or a PostgreSQL database."""

    def __init__(self, kind: str, tmp: Path, pg_url: str):
        self.kind = kind
        self.tmp = tmp
        self.pg_url = pg_url
        self.sqlite_path = tmp / "hadir-bench.sqlite3"

    @property
    def url(self) -> str:
        return self.pg_url if self.kind == "postgres" else f"sqlite:///{self.sqlite_path}"

    def _pg_admin(self):
        import psycopg
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        info = conninfo_to_dict(self.pg_url)
        name = info.pop("dbname")
        return psycopg.connect(make_conninfo(**info, dbname="postgres"), autocommit=True), name

    def create(self, env: dict) -> None:
        self.drop()
        if self.kind == "postgres":
            conn, name = self._pg_admin()
            with conn:
                conn.execute(f'CREATE DATABASE "{name}"')
        run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], env, "flask db upgrade")

    def drop(self) -> None:
        if self.kind == "postgres":
            conn, name = self._pg_admin()
            with conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.sqlite_path) + suffix).unlink(missing_ok=True)

    def count_check_ins(self) -> tuple[int, int]:
        """``(check-in events, distinct employees with a check-in)``."""
        sql = "SELECT COUNT(*), COUNT(DISTINCT user_id) FROM attendance_events WHERE kind = 'check_in'"
        if self.kind == "postgres":
            import psycopg
            with psycopg.connect(self.pg_url) as conn:
                return tuple(conn.execute(sql).fetchone())
        import sqlite3
        with sqlite3.connect(self.sqlite_path) as conn:
            return tuple(conn.execute(sql).fetchone())


class Gunicorn:
    """``gunicorn -w N -b 127.0.0.1:PORT APP`` (sync workers), logs in the temp dir."""

    def __init__(self, app: str, workers: int, env: dict, log_path: Path, chdir: Path | None = None):
        self.port = free_port()
        argv = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
                "--log-level", "warning", "--graceful-timeout", "5"]
        if chdir:
            argv += ["--chdir", str(chdir)]
        self.argv = argv + [app]
        self.env = env
        self.log_path = log_path
        self.proc = None

    def __enter__(self):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.__exit__()
        raise SystemExit(f"gunicorn did not answer /healthz in 30 s:\n{self.log_tail()}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self._log.close()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def warm_up(port: int, tokens: list[str], requests: int = 64, threads: int = 4) -> None:
    """Wake every worker (imports, database connections, compiled statements) without checking in.

    Sends ``requests`` check-ins *without a position*: each passes the token check
    and the rate limiter and is refused with 422, so nothing is recorded.
    """
    def worker(k: int) -> None:
        for i in range(k, requests, threads):
            post(port, PATH, '{"branch_id":"0001"}', tokens[i % len(tokens)])

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


# --- load tools --------------------------------------------------------------------------

def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if not wrk:
        raise SystemExit("wrk not found: run `bash scripts/install-system-deps.sh` (Debian package wrk)")
    return wrk


def run_wrk(port: int, tokens_file: Path, requests: int, connections: int, threads: int,
            timeout_s: float, scheme: str = "http") -> dict:
    """Saturation run: ``requests`` responses over ``connections`` connections; returns checkin.lua's JSON.

    ``scheme``: ``https`` to load a TLS listener (wrk does not verify the certificate).
    """
    argv = [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{int(timeout_s)}s", "--timeout", "10s",
            "-s", str(LUA_SCRIPT), f"{scheme}://127.0.0.1:{port}{PATH}", "--",
            str(tokens_file), str(threads), str(requests), CHECK_IN_BODY]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    finished = 0
    stderr_lines = []
    try:
        # Each thread prints "checkin.lua: thread done" when it has its share; then wrk's
        # main thread would still sleep the whole -d, so interrupt it (its SIGINT handler
        # just ends the sleep and prints the results).
        for line in proc.stderr:
            stderr_lines.append(line)
            if "checkin.lua: thread done" in line:
                finished += 1
                if finished == threads:
                    break
        for _ in range(50):
            if proc.poll() is not None:
                break
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=0.3)
            except subprocess.TimeoutExpired:
                pass
        out, err = proc.communicate(timeout=timeout_s + 10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    for line in out.splitlines():
        if line.startswith("checkin.lua: {"):
            result = json.loads(line.split(": ", 1)[1])
            result["wrk_stdout"] = out
            if result["wall_ms"] > 0:
                result["rps"] = result["responses"] / (result["wall_ms"] / 1000)
            else:
                result["rps"] = None
            return result
    raise SystemExit(f"wrk gave no result:\n{out}\n{''.join(stderr_lines)}{err}")


def require_loadtest() -> list[str]:
    node = shutil.which("node")
    if not node:
        raise SystemExit("node not found (Debian package nodejs) — needed for loadtest (bench/LOADTOOLS.md)")
    if not (LOADTEST_DIR / "node_modules" / "loadtest" / "package.json").exists():
        npm = shutil.which("npm")
        if not npm:
            raise SystemExit("npm not found — needed to install loadtest from bench/loadtest/package-lock.json")
        log("installing loadtest (npm ci in bench/loadtest) ...")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                       cwd=LOADTEST_DIR, check=True)
    return [node, str(LOADTEST_DIR / "run.mjs")]


def run_loadtest(port: int, tokens_file: Path, rate: float) -> dict:
    argv = require_loadtest() + [f"http://127.0.0.1:{port}{PATH}", str(rate), str(tokens_file), CHECK_IN_BODY]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=600).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- the benchmark -------------------------------------------------------------------------

def server_env(db: Database, args) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "FLASK_APP", "FLASK_DEBUG") and not k.startswith("MOUNT_")}
    env.update({"DATABASE_URL": db.url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": "1",
                "TIMEZONE": args.timezone})
    if args.redis:
        env["REDIS_URL"] = args.redis
    return env


def prepare_hadir(db: Database, env: dict, tmp: Path, employees: int, label: str) -> Path:
    t0 = time.monotonic()
    db.create(env)
    tokens_file = tmp / f"tokens-{label}.txt"
    run([sys.executable, str(Path(__file__).resolve()), "_seed", "--employees", str(employees),
         "--tokens-out", str(tokens_file)], env, "seeding")
    log(f"  fresh {db.kind} database, {employees} employees seeded in {time.monotonic() - t0:.1f} s")
    return tokens_file


def check_count(db: Database, employees: int) -> dict:
    events, people = db.count_check_ins()
    ok = events == employees and people == employees
    return {"check_ins": events, "employees_checked_in": people, "expected": employees, "ok": ok}


def fmt_ms(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=PG_DEFAULT, help=f"PostgreSQL database to create and drop (default {PG_DEFAULT})")
    parser.add_argument("--redis", help="REDIS_URL for Flask-Limiter storage (default: in-process memory)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--wrk-threads", type=int, default=1,
                        help="wrk threads (default 1; see checkin.lua for why more hurt with sync workers)")
    parser.add_argument("--bare-requests", type=int, default=10000,
                        help="requests sent to the bare app (default 10000: it answers 2,000 in well under a second)")
    parser.add_argument("--rate", type=float, default=200, help="open-loop arrival rate, requests/s (default 200)")
    parser.add_argument("--timezone", default="Asia/Jakarta")
    parser.add_argument("--skip-saturation", action="store_true")
    parser.add_argument("--skip-open-loop", action="store_true")
    parser.add_argument("--floor", action="store_true",
                        help="also serve bench/floor_app.py (the floor of a check-in) on a fresh database, "
                             "same saturation run (and open loop unless skipped)")
    parser.add_argument("--cpu", type=int, metavar="N",
                        help="instead of the server runs: CPU ms per check-in of bare, floor and Hadir in one "
                             "process (Flask test client), N check-ins each, --rounds rounds alternating")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --cpu (default 3)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, tokens, SQLite file)")
    args = parser.parse_args(argv)

    if args.cpu:
        load_before = os.getloadavg()[0]
        tmp = Path(tempfile.mkdtemp(prefix="hadir-bench-cpu-"))
        try:
            view = cpu_view(args, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"\nIn-process check-in cost — {args.db}, {args.cpu:,} check-ins × {args.rounds} rounds per app, "
              f"Flask test client, rate limits on; load average {load_before:.2f} before, "
              f"{os.getloadavg()[0]:.2f} after (medians):")
        for name in ("bare", "floor", "hadir"):
            print(f"  {name:6} CPU {view[name]['cpu_ms']:.3f} ms   wall {view[name]['wall_ms']:.3f} ms per check-in")
        print(f"  Hadir / floor: CPU {view['hadir']['cpu_ms'] / view['floor']['cpu_ms']:.2f}×, "
              f"floor / bare: CPU {view['floor']['cpu_ms'] / view['bare']['cpu_ms']:.2f}×")
        if args.json:
            args.json.write_text(json.dumps(view, indent=2) + "\n")
        return 0
    if not args.skip_saturation:
        require_wrk()
    if not args.skip_open_loop:
        require_loadtest()

    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        log(f"warning: load average {load_before:.2f} before the run: other processes share the CPUs, "
            "figures will be low and noisy")
    tmp = Path(tempfile.mkdtemp(prefix="hadir-bench-"))
    db = Database(args.db, tmp, args.pg_url)
    env = server_env(db, args)
    results: dict = {"db": args.db, "workers": args.workers, "employees": args.employees,
                     "connections": args.connections, "wrk_threads": args.wrk_threads, "cpus": os.cpu_count(),
                     "rate_limit_storage": "redis" if args.redis else "memory",
                     "loadavg_before": round(load_before, 2)}
    ok = True
    try:
        log(f"Hadir check-in benchmark: {args.db}, {args.workers} sync gunicorn workers, "
            f"{args.employees} employees, {os.cpu_count()} CPUs (temp {tmp})")
        if not args.skip_saturation:
            log("Saturation, Hadir:")
            tokens_file = prepare_hadir(db, env, tmp, args.employees, "saturation")
            tokens = tokens_file.read_text().split()
            with Gunicorn("wsgi:app", args.workers, env, tmp / "gunicorn-hadir.log") as server:
                warm_up(server.port, tokens)
                hadir = run_wrk(server.port, tokens_file, args.employees, args.connections, args.wrk_threads,
                                timeout_s=120)
            hadir["db_count"] = check_count(db, args.employees)
            results["saturation_hadir"] = hadir
            log("Saturation, bare Flask app:")
            with Gunicorn("bare_app:app", args.workers, env, tmp / "gunicorn-bare.log", chdir=BENCH) as server:
                warm_up(server.port, tokens)
                bare = run_wrk(server.port, tokens_file, args.bare_requests, args.connections, args.wrk_threads,
                               timeout_s=120)
            results["saturation_bare"] = bare
            if hadir["rps"] and bare["rps"]:
                results["ratio"] = hadir["rps"] / bare["rps"]
            if args.floor:
                log("Saturation, floor app:")
                tokens_file = prepare_hadir(db, env, tmp, args.employees, "floor")
                tokens = tokens_file.read_text().split()
                with Gunicorn("floor_app:app", args.workers, env, tmp / "gunicorn-floor.log", chdir=BENCH) as server:
                    warm_up(server.port, tokens)
                    floor = run_wrk(server.port, tokens_file, args.employees, args.connections, args.wrk_threads,
                                    timeout_s=120)
                floor["db_count"] = check_count(db, args.employees)
                results["saturation_floor"] = floor
                if floor["rps"] and bare["rps"] and hadir["rps"]:
                    results["ratio_floor_bare"] = floor["rps"] / bare["rps"]
                    results["ratio_hadir_floor"] = hadir["rps"] / floor["rps"]
            if args.db == "postgres":
                db.drop()

        if not args.skip_open_loop:
            log(f"Open loop, Hadir at {args.rate:g} requests/s:")
            tokens_file = prepare_hadir(db, env, tmp, args.employees, "open-loop")
            tokens = tokens_file.read_text().split()
            with Gunicorn("wsgi:app", args.workers, env, tmp / "gunicorn-hadir-open.log") as server:
                warm_up(server.port, tokens)
                open_loop = run_loadtest(server.port, tokens_file, args.rate)
            open_loop["db_count"] = check_count(db, args.employees)
            results["open_loop"] = open_loop
            if args.floor:
                log(f"Open loop, floor app at {args.rate:g} requests/s:")
                tokens_file = prepare_hadir(db, env, tmp, args.employees, "floor-open-loop")
                tokens = tokens_file.read_text().split()
                with Gunicorn("floor_app:app", args.workers, env, tmp / "gunicorn-floor-open.log",
                              chdir=BENCH) as server:
                    warm_up(server.port, tokens)
                    floor_open = run_loadtest(server.port, tokens_file, args.rate)
                floor_open["db_count"] = check_count(db, args.employees)
                results["open_loop_floor"] = floor_open
    finally:
        try:
            db.drop()
        finally:
            if args.keep:
                log(f"kept {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)

    # --- report ---------------------------------------------------------------------------
    print()
    print(f"Hadir check-in benchmark — {args.db}, {args.workers} sync gunicorn workers, "
          f"{args.employees:,} employees, {os.cpu_count()} CPUs, rate limits on ({results['rate_limit_storage']}), "
          f"load average before {load_before:.2f}")
    if "saturation_hadir" in results:
        h, b = results["saturation_hadir"], results["saturation_bare"]
        f = results.get("saturation_floor")
        print(f"\nSaturation — wrk 4.1, {args.wrk_threads} thread, {args.connections} connections, "
              "a different bearer token per request:")
        print(f"  {'':10} {'responses':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for name, r in (("bare Flask", b), ("floor", f), ("Hadir", h)):
            if r is None:
                continue
            print(f"  {name:10} {r['responses']:>9,} {r['rps'] or 0:>8,.0f} {fmt_ms(r['p50_ms']):>8} "
                  f"{fmt_ms(r['p99_ms']):>8} {fmt_ms(r['max_ms']):>8}")
        print(f"  Hadir answers: {h['rcode_00']:,} accepted (00), {h['rcode_82']:,} already checked in (82), "
              f"{h['rcode_other']:,} other; {h['sent'] - args.employees} requests re-used a token after "
              f"the {args.employees:,} ran out{' — first other: ' + h['first_bad'] if h['first_bad'] else ''}")
        errors = {k[7:]: v for k, v in h.items() if k.startswith("errors_") and k != "errors_status" and v}
        if errors:
            print(f"  wrk socket errors: {errors}")
        ratio = results.get("ratio")
        ratio_ok = ratio is not None and ratio >= 0.40
        print(f"  ratio Hadir / bare: {ratio:.2f} (goal ≥ 0.40) {'OK' if ratio_ok else 'BELOW GOAL'}"
              if ratio is not None else "  ratio: n/a")
        c = h["db_count"]
        print(f"  check-ins in the database: {c['check_ins']:,} ({c['employees_checked_in']:,} employees) "
              f"{'OK' if c['ok'] else 'MISMATCH'}")
        ok &= c["ok"] and h["rcode_other"] == 0 and h["threads_finished"] == h["threads"]
        ok &= b["threads_finished"] == b["threads"]
        if f is not None:
            print(f"  floor answers: {f['rcode_00']:,} accepted (00), {f['rcode_82']:,} already checked in (82), "
                  f"{f['rcode_other']:,} other{' — first other: ' + f['first_bad'] if f['first_bad'] else ''}")
            if "ratio_floor_bare" in results:
                print(f"  ratio floor / bare: {results['ratio_floor_bare']:.2f}; "
                      f"ratio Hadir / floor: {results['ratio_hadir_floor']:.2f}")
            c = f["db_count"]
            print(f"  check-ins in the database after the floor run: {c['check_ins']:,} "
                  f"({c['employees_checked_in']:,} employees) {'OK' if c['ok'] else 'MISMATCH'}")
            ok &= c["ok"] and f["rcode_other"] == 0 and f["threads_finished"] == f["threads"]
    for key, name in (("open_loop", "Hadir"), ("open_loop_floor", "floor app")):
        if key not in results:
            continue
        o = results[key]
        print(f"\nOpen loop, {name} — loadtest 8.2.1, fixed arrival rate {args.rate:g}/s, fresh database, "
              "each employee once:")
        print(f"  {o['requests']:,} requests sent at {args.rate:g}/s; the last answered after {o['elapsed_s']:.1f} s "
              f"({o['effective_rps']:,}/s completed), up to {o['max_clients']} connections open; "
              f"statuses {o['statuses']}, rcodes {o['rcodes']}")
        p99_ok = o["p99_ms"] is not None and o["p99_ms"] < 50
        print(f"  p50 {o['p50_ms']} ms, p90 {o['p90_ms']} ms, p99 {o['p99_ms']} ms, max {o['max_ms']} ms "
              f"(whole ms; goal p99 < 50 ms) {'OK' if p99_ok else 'ABOVE GOAL'}")
        c = o["db_count"]
        print(f"  check-ins in the database: {c['check_ins']:,} ({c['employees_checked_in']:,} employees) "
              f"{'OK' if c['ok'] else 'MISMATCH'}")
        ok &= c["ok"] and o["errors"] == 0
    if args.json:
        for key in ("saturation_hadir", "saturation_bare", "saturation_floor"):
            results.get(key, {}).pop("wrk_stdout", None)
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_seed":
        p = argparse.ArgumentParser()
        p.add_argument("_seed")
        p.add_argument("--employees", type=int, required=True)
        p.add_argument("--tokens-out", type=Path, required=True)
        a = p.parse_args()
        seed(a.employees, a.tokens_out)
    elif len(sys.argv) > 1 and sys.argv[1] == "_cpu":
        time_in_process(sys.argv[2], Path(sys.argv[3]))
    else:
        sys.exit(main())
