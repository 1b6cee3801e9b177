#!/usr/bin/env python3
"""The database time of a GPS check-in's previous-position statement at a year of events per person.

A benchmark, not a test::

    .venv/bin/python bench/latest_fix.py                   # SQLite in a temp directory
    .venv/bin/python bench/latest_fix.py --db postgres     # scratch database hadir_bench_latest_fix (dropped)
    .venv/bin/python bench/latest_fix.py --without-index   # the same after dropping ix_attendance_events_user_fix

Builds the schema with the migrations, writes ``--people`` people x ``--events`` events with a
position (two a day, one in seven offline: a phone time), analyses the table, then runs each
statement ``--repeat`` times for people in turn and prints the median and 95th percentile in
milliseconds: :func:`app.attendance.plausibility.previous_fix`'s query, and the token
statement's join of the latest position (:func:`~app.attendance.plausibility.with_latest_fix`
on a select of the user by id).  SQLite's time is the statement's execution in this process;
PostgreSQL's is the server's "Execution Time" of ``EXPLAIN (ANALYZE)`` (no network, no
planning).  The load average is printed first and last.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgresql://postgres@127.0.0.1:5432/hadir_bench_latest_fix"
T0 = datetime(2025, 12, 1, 0, 30, tzinfo=timezone.utc)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _seed(app, people: int, events: int) -> list[int]:
    from app.accounts.models import User
    from app.attendance.models import AttendanceEvent
    from app.extensions import db

    with app.app_context():
        users = [User(name=f"Pegawai {n}", role="pegawai", npp=f"9{n:05d}", password_hash="x") for n in range(people)]
        db.session.add_all(users)
        db.session.flush()
        ids = [user.id for user in users]
        for user_id in ids:
            rows = []
            for n in range(events):
                at = T0 + timedelta(days=n // 2, hours=n % 2 * 9)
                rows.append(dict(user_id=user_id, kind="check_in" if n % 2 == 0 else "check_out", occurred_at=at,
                                 client_time=at - timedelta(minutes=5) if n % 7 == 0 else None,
                                 work_date=date(2025, 12, 1) + timedelta(days=n // 2), source="mobile_gps",
                                 latitude=-6.2, longitude=106.8, accuracy_m=8.0))
            db.session.execute(AttendanceEvent.__table__.insert(), rows)
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE attendance_events" if db.engine.dialect.name == "postgresql"
                                 else "ANALYZE")
    return ids


def _statements():
    from sqlalchemy import bindparam, select

    from app.accounts.models import User
    from app.attendance import plausibility
    from app.extensions import db

    token = plausibility.with_latest_fix(select(User.id).where(User.id == bindparam("user_id")), User.id,
                                         db.engine.dialect.name)
    return {"previous_fix query": plausibility._previous_fix_query(), "token statement's latest position": token}


def _time(conn, stmt, params: dict) -> float:
    """Milliseconds of database time of one execution of ``stmt``."""
    from app.extensions import db

    compiled = stmt.compile(dialect=db.engine.dialect)
    values = {**compiled.params, **params}
    if db.engine.dialect.name == "sqlite":
        args = tuple(values[name] for name in compiled.positiontup)
        start = time.perf_counter()
        conn.exec_driver_sql(str(compiled), args).fetchall()
        return (time.perf_counter() - start) * 1000
    plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + str(compiled), values).scalar()
    return plan[0]["Execution Time"]


def run(db_url: str, args) -> None:
    os.environ["DATABASE_URL"] = db_url
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db

    app = create_app({"SECRET_KEY": "bench-secret-key-0123456789-0123456789", "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade()
    ids = _seed(app, args.people, args.events)
    with app.app_context():
        if args.without_index:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP INDEX ix_attendance_events_user_fix")
        print(f"load average {_load()} after seeding {args.people} people x {args.events} events"
              f"{' (index dropped)' if args.without_index else ''}")
        at = T0 + timedelta(days=args.events)
        with db.engine.connect() as conn:
            for name, stmt in _statements().items():
                times = [_time(conn, stmt, {"user_id": ids[n % len(ids)], "at": at}) for n in range(args.repeat)]
                times.sort()
                print(f"  median {statistics.median(times):.3f} ms  p95 {times[int(len(times) * 0.95)]:.3f} ms  {name}")
    print(f"load average {_load()} at the end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--events", type=int, default=500, help="events with a position per person")
    parser.add_argument("--repeat", type=int, default=500)
    parser.add_argument("--without-index", action="store_true", help="drop ix_attendance_events_user_fix first")
    args = parser.parse_args()
    print(f"load average {_load()} ({os.cpu_count()} cores), {args.db}, "
          f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", flush=True)
    if args.db == "sqlite":
        with tempfile.TemporaryDirectory(prefix="hadir-latest-fix-") as folder:
            run(f"sqlite:///{folder}/bench.sqlite3", args)
        return
    name = PG_URL.rpartition("/")[2]
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    try:
        run(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1), args)
    finally:
        subprocess.run(["dropdb", "--if-exists", "--force", "-h", "127.0.0.1", "-U", "postgres", name], check=False)


if __name__ == "__main__":
    main()
