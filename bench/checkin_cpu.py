#!/usr/bin/env python3
"""CPU time of the mobile check-in inside one process, for an A/B of two checkouts.

A benchmark, not a test::

    .venv/bin/python bench/checkin_cpu.py /tmp/before . --check-ins 400 --rounds 3
    .venv/bin/python bench/checkin_cpu.py /tmp/before . --db postgres --show

For each checkout (alternately, ``--rounds`` times) a child process builds the app on a
fresh SQLite file, seeds one office, a schedule whose check-in window is open now and
``--check-ins`` employees with a bound phone and a JWT, then sends each employee's
``POST /api/absenmasuk`` at the office through Flask's test client (no server, no
network, rate limits off unless ``--rate-limits``) and measures the process's CPU time over those requests
(``time.process_time``).  CPU time rather than wall time because the machine is shared:
it counts this process's work only.  Prints every round, the median per checkout and the
ratio of the medians, with the load average.  The temp files are removed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path


def child(root: str, n: int, show: bool = False, profile: str | None = None, rate_limits: bool = False) -> None:
    """Seed and time ``n`` check-ins in the checkout ``root``.

    Prints ``CPU <seconds> <statements> <wall seconds>``: the process's CPU time over the ``n``
    requests; the SQL statements they sent (counted by a ``before_cursor_execute`` listener:
    transaction statements such as ``BEGIN``/``COMMIT`` emitted by the driver are not included,
    and since the SQLite write lock is taken at the first write :mod:`app.common.sqlite` sends
    SQLite's ``BEGIN`` / ``BEGIN IMMEDIATE`` on the driver's cursor too, so they are not counted
    either); and the wall time, which includes PostgreSQL's own work, the round trips and the
    machine's other load.
    With ``show`` the statements of the last check-in are printed first; with ``profile`` (a
    file name) the timed loop runs under cProfile and its statistics are written there; with
    ``rate_limits`` Flask-Limiter counts every request (in-memory storage, as one worker without
    Redis) instead of being switched off.
    """
    import time
    from datetime import datetime, timedelta
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    sys.path.insert(0, root)
    os.chdir(root)
    from flask_migrate import upgrade
    from sqlalchemy import event, insert, select

    from app import create_app
    from app.accounts.models import DeviceBinding, User
    from app.api.mobile.tokens import issue_access_token
    from app.extensions import db
    from app.places.services import create_office
    from app.schedules.services import create_schedule

    app = create_app({"RATELIMIT_ENABLED": rate_limits, "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade()
        office = create_office(code="0001", name="Kantor Pusat Jakarta", latitude=-6.2088, longitude=106.8456,
                               radius_m=100)
        local_now = datetime.now(ZoneInfo(app.config["TIMEZONE"]))

        def at(hours: int) -> str:
            return (local_now + timedelta(hours=hours)).strftime("%H:%M:00")

        create_schedule({"name": "Bench", "check_in_start": at(-2), "check_in_end": at(2),
                         "check_out_start": at(3), "check_out_end": at(5), "is_active": True})
        now = datetime.now(ZoneInfo("UTC"))
        db.session.execute(insert(User), [
            dict(name=f"Pegawai {i}", role="pegawai", npp=f"{100000 + i}", password_hash="-", office_id=office.id,
                 is_active=True, created_at=now, updated_at=now) for i in range(n)])
        users = db.session.execute(select(User.id, User.npp).order_by(User.id)).all()
        db.session.execute(insert(DeviceBinding), [dict(user_id=uid, device_id=f"phone-{npp}", bound_at=now)
                                                   for uid, npp in users])
        db.session.commit()
        tokens = [issue_access_token(SimpleNamespace(id=uid, npp=npp), f"phone-{npp}")[0] for uid, npp in users]
    client = app.test_client()
    body = {"latitude": "-6.2087", "longitude": "106.8456", "accuracy": 10, "branch_id": "0001"}
    client.post("/api/absenmasuk", json={}, headers={"Authorization": f"Bearer {tokens[0]}"})  # warm up (422)
    statements: list[str] = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: statements.append(statement))
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.process_time()
    wall_start = time.perf_counter()
    for token in tokens:
        if show:
            statements.clear()
        response = client.post("/api/absenmasuk", json=body, headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 200 or response.json["data"]["status"] != "accepted":
            raise SystemExit(f"unexpected answer: {response.status_code} {response.json}")
    cpu = time.process_time() - start
    wall = time.perf_counter() - wall_start
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    if show:
        print("\n---\n".join(statements))
        print(f"CPU {cpu:.4f} {len(statements) * n} {wall:.4f}")
    else:
        print(f"CPU {cpu:.4f} {len(statements)} {wall:.4f}")


#: Named after this process, so that two runs at once (two checkouts benchmarked side by side)
#: never drop each other's database.
PG_BENCH_DB = f"hadir_cpu_bench_{os.getpid()}"


def _drop_pg(server_url: str) -> None:
    """Drop the benchmark's PostgreSQL database if it exists."""
    import psycopg

    with psycopg.connect(server_url.rstrip("/") + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")


def _fresh_pg(server_url: str) -> str:
    """Create an empty benchmark database on ``server_url``; returns its SQLAlchemy URL."""
    import psycopg

    _drop_pg(server_url)
    with psycopg.connect(server_url.rstrip("/") + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    return server_url.rstrip("/").replace("postgresql://", "postgresql+psycopg://", 1) + "/" + PG_BENCH_DB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="+", type=Path, help="checkouts to compare (the first is the baseline)")
    parser.add_argument("--check-ins", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/",
                        help="server URL; a database hadir_cpu_bench_<pid> is created and dropped on it")
    parser.add_argument("--show", action="store_true", help="print the statements of one check-in per checkout")
    parser.add_argument("--rate-limits", action="store_true",
                        help="count every request in Flask-Limiter (memory storage) instead of switching it off")
    parser.add_argument("--profile", metavar="DIR", type=Path,
                        help="write a cProfile file per checkout and round into DIR (slower: compare CPU without it)")
    args = parser.parse_args()
    results: dict[Path, list[float]] = {root.resolve(): [] for root in args.roots}
    load = os.getloadavg()[0]
    for round_ in range(1, args.rounds + 1):
        for root in results:
            with tempfile.TemporaryDirectory(prefix="hadir-cpu-") as tmp:
                url = f"sqlite:///{tmp}/bench.sqlite3"
                if args.db == "postgres":
                    url = _fresh_pg(args.pg_url)
                env = dict(os.environ, DATABASE_URL=url,
                           SECRET_KEY="bench-secret-key-not-for-production-0123456789abcdef",
                           UPLOAD_FOLDER=f"{tmp}/uploads")
                command = [sys.executable, str(Path(__file__).resolve()), "_child", str(root), str(args.check_ins)]
                if args.show and round_ == 1:
                    command.append("show")
                if args.rate_limits:
                    command.append("rate-limits")
                if args.profile:
                    args.profile.mkdir(parents=True, exist_ok=True)
                    command.append(f"profile={args.profile.resolve()}/checkout{list(results).index(root) + 1}"
                                   f"-round{round_}.prof")
                out = subprocess.run(command,
                                     env=env, capture_output=True, text=True)
                if args.db == "postgres":
                    _drop_pg(args.pg_url)
            if out.returncode != 0:
                raise SystemExit(f"{root} failed:\n{out.stdout}\n{out.stderr[-2000:]}")
            lines = out.stdout.strip().splitlines()
            if args.show and round_ == 1:
                print(f"--- statements of one check-in, {root}:\n" + "\n".join(lines[:-1]))
            _, cpu, count, wall = lines[-1].split()
            per = float(cpu) / args.check_ins * 1000
            results[root].append(per)
            print(f"round {round_}  {root}: {per:.2f} ms CPU, {float(wall) / args.check_ins * 1000:.2f} ms wall, "
                  f"{int(count) / args.check_ins:.1f} statements "
                  f"per check-in ({args.db})", flush=True)
    print(f"check-in CPU time ({args.db}{', rate limits on' if args.rate_limits else ''}), {args.check_ins} check-ins × {args.rounds} rounds, load average {load:.1f} → "
          f"{os.getloadavg()[0]:.1f}")
    medians = {root: statistics.median(values) for root, values in results.items()}
    baseline = next(iter(medians.values()))
    for root, median in medians.items():
        print(f"  {root}: median {median:.2f} ms, ratio to the first {median / baseline:.2f}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["_child"]:
        child(sys.argv[2], int(sys.argv[3]), show="show" in sys.argv[4:], rate_limits="rate-limits" in sys.argv[4:],
              profile=next((a[len("profile="):] for a in sys.argv[4:] if a.startswith("profile=")), None))
    else:
        sys.exit(main())
