#!/usr/bin/env python3
"""What a person's schedule costs: the check-in's statements and the resolution's time.

A benchmark, not a test: ``.venv/bin/python bench/schedule_resolution.py [--db sqlite|postgres]``.
In-process (Flask test client), a fresh database in a temp directory (SQLite) or
``hadir_bench_schedules`` (PostgreSQL, dropped at the end); nothing listens on a port.

1. **One check-in** (``POST /api/absenmasuk``): the SQL statements it sends, for a person
   whose schedule is the organisation's default, a department's assignment, and a roster
   entry — the same number in all three (the person's schedule of today and yesterday is
   one statement, as the organisation's active schedule was).
2. **One person's day** (``resolve_days(user, [today, yesterday])``, one statement) against
   the old lookup of the organisation's active schedule (one statement), median of
   ``--repeat`` calls each: the ratio is what the richer statement costs.
3. **A month for many people** (``resolve_range``, ``--people`` × 31 days, departments,
   assignments, a rotating roster for a third of them, holidays): statements and time.

Prints the machine's load average first: figures taken on a busy machine are slower
(the CPU time of this process is printed beside the wall time), compare the ratios of one run.
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
PG_DEFAULT = "postgresql://postgres@127.0.0.1/hadir_bench_schedules"


def _statement_counter(engine):
    from sqlalchemy import event

    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            seen.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", before)
    return seen


def _median_us(call, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def run(db_url: str, people: int, repeat: int) -> None:
    os.environ["DATABASE_URL"] = db_url
    sys.path.insert(0, str(ROOT))
    from flask_migrate import upgrade

    from app import create_app
    from app.accounts.models import DeviceBinding, User
    from app.accounts.passwords import hash_password
    from app.api.mobile.tokens import issue_access_token
    from app.common import clock
    from app.departments.services import create_department
    from app.extensions import db
    from app.places.services import create_office
    from app.schedules import assignments, rosters
    from app.schedules.holidays import import_year
    from app.schedules.resolution import resolve_days, resolve_range
    from app.schedules.services import active_schedule, create_schedule

    app = create_app({"SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdef",
                      "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade()
        now = clock.local_now()
        window = (now - timedelta(hours=2)).strftime("%H:%M"), (now + timedelta(hours=2)).strftime("%H:%M")
        office = create_office(code="0001", name="Kantor", latitude=-6.2088, longitude=106.8456, radius_m=100)
        default = create_schedule({"name": "Normal", "check_in_start": window[0], "check_in_end": window[1],
                                   "check_out_start": (now + timedelta(hours=3)).strftime("%H:%M"),
                                   "working_weekdays": "1-7", "is_active": True})
        shift = create_schedule({"name": "Shift", "code": "S", "check_in_start": window[0], "check_in_end": window[1],
                                 "check_out_start": (now + timedelta(hours=3)).strftime("%H:%M"),
                                 "working_weekdays": "1-7"})
        parent = create_department(code="RS", name="Rumah Sakit")
        child = create_department(code="IGD", name="IGD", parent=parent)
        assignments.assign_schedule(shift, department=parent, starts_on=date(2000, 1, 1))
        hashed = hash_password("bench-password-2026")
        users = [User(name=f"Pegawai {n}", role="pegawai", npp=f"5{n:05d}", password_hash=hashed,
                      office_id=office.id, department_id=(child.id if n % 3 == 1 else None))
                 for n in range(people)]
        db.session.add_all(users)
        db.session.flush()
        today = now.date()
        pattern = rosters.create_pattern("P-P-L", [shift, shift, None])
        rosters.apply_pattern(pattern, users=users[2::3], starts_on=today.replace(day=1),
                              ends_on=today.replace(day=1) + timedelta(days=30))
        import_year(today.year)
        for user in users[:3]:
            db.session.add(DeviceBinding(user_id=user.id, device_id=f"bench-{user.npp}"))
        db.session.commit()
        tokens = {kind: issue_access_token(users[n], f"bench-{users[n].npp}")[0]
                  for n, kind in ((0, "organisation"), (1, "department"), (2, "roster"))}
        user_ids = [u.id for u in users]

    client = app.test_client()
    with app.app_context():
        seen = _statement_counter(db.engine)
    print("1. one check-in, POST /api/absenmasuk (statements sent, savepoints aside)")
    for kind, token in tokens.items():
        seen.clear()
        response = client.post("/api/absenmasuk", json={"latitude": "-6.2087", "longitude": "106.8456"},
                               headers={"Authorization": f"Bearer {token}"})
        assert response.json["rcode"] == "00", response.json
        print(f"   schedule from the {kind:<12}: {len(seen)} statements ({', '.join(seen)})")

    with app.app_context():
        person = db.session.get(User, user_ids[2])
        days = [today, today - timedelta(days=1)]
        resolve_days(person, days)
        active_schedule()
        new = _median_us(lambda: resolve_days(person, days), repeat)
        old = _median_us(lambda: active_schedule(), repeat)
        print(f"2. one person's schedule of today and yesterday: {new:.0f} µs (1 statement); the organisation's "
              f"active schedule alone: {old:.0f} µs (1 statement); ratio {new / old:.2f}")
        everyone = list(db.session.scalars(db.select(User).where(User.id.in_(user_ids))))
        first = today.replace(day=1)
        seen.clear()
        start, cpu = time.perf_counter(), time.process_time()
        grid = resolve_range(everyone, first, first + timedelta(days=30))
        elapsed, cpu = (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000
        print(f"3. resolve_range: {len(everyone)} people x 31 days = {len(grid)} days in {elapsed:.0f} ms "
              f"({cpu:.0f} ms of this process's CPU), {len(seen)} statements")
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=PG_DEFAULT)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores), "
          f"{args.db}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    if args.db == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/bench.sqlite3", args.people, args.repeat)
        return
    base, _, name = args.pg_url.rpartition("/")
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    try:
        run(args.pg_url.replace("postgresql://", "postgresql+psycopg://", 1), args.people, args.repeat)
    finally:
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=False)


if __name__ == "__main__":
    main()
