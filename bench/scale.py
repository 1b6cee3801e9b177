#!/usr/bin/env python3
"""A year of data: every admin page, report, export and history API timed at that size.

A benchmark, not a test::

    .venv/bin/python bench/scale.py                       # SQLite in a temp directory, 1,000 people x 365 days
    .venv/bin/python bench/scale.py --db postgres         # scratch database hadir_bench_scale_<pid> (dropped at the end)
    .venv/bin/python bench/scale.py --people 50 --days 40 # a quick run
    .venv/bin/python bench/scale.py --only report --repeat 9 --json out.json

1. **Seed.** A fresh database (``flask db upgrade``): two offices, five departments, the
   organisation's work schedule (Monday-Friday, check-in 07:00-09:00, late after 08:00,
   check-out 16:00-18:00, Asia/Jakarta) and a second, unused one; an administrator; ``--people``
   clinic staff (doctors, paramedics, non-paramedics in turn, each with an email, an NPP and a
   NIK, a bound phone); then ``--days`` days up to yesterday of attendance written straight into
   the models' own tables (``attendance_events``, ``daily_attendance``) in bulk: ``executemany``
   on SQLite, ``COPY`` on PostgreSQL, then ``ANALYZE`` (SQLite) or ``VACUUM ANALYZE`` (PostgreSQL,
   as autovacuum would after such inserts).  Each working day of each person is, from a seeded random
   draw, absent (4 %) or a check-in between 07:20 and 08:15 (late after 08:00) and a check-out
   between 16:00 and 17:30, or no check-out (2 %, closed as a missed check-out).  2 % of the
   check-ins wait in the review inbox (outside the geofence), 1 % were approved by the
   administrator.  1,000 people x 365 days: about 261,000 day rows and 517,000 events.
2. **Measure.** Every probe of :data:`PROBES` (admin pages with the administrator's session,
   the report and its CSV for the last full month, the clinic app's summary, CSV export and
   history, the school, face and phone apps' history, the review inbox ...) is requested once
   to warm up, then ``--repeat`` times through the Flask test client (in-process: the time is
   the server's, without a network).  Each request's SQL statements are counted (savepoints
   aside).  A probe whose answer is not its expected status stops the run.  :data:`SQL_PROBES`
   are statements timed inside a transaction that is rolled back: deleting a person with a
   year of history, deleting a work schedule.
3. **Report.** The load average first (a busy machine inflates every figure: compare the
   figures of one run), then one line per probe: median and max ms (wall), the median CPU
   time of this process (on SQLite the database's work is this process's too, so it moves far
   less with the machine's load than the wall time; on PostgreSQL the server's CPU is not in
   it), statements.  ``--json FILE`` writes ``[{"name", "median_ms", "max_ms", "statements",
   "cpu_median_ms"}]``.

Extending: add a :class:`Probe` to :data:`PROBES` (``who`` names the signed-in client; the
path may use ``{month_start}``, ``{month_end}``, ``{person}``, ``{year}``, ``{month}``...,
see :func:`_context`).
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DEFAULT = f"postgresql://postgres@127.0.0.1/hadir_bench_scale_{os.getpid()}"
SECRET = "bench-scale-secret-key-not-for-production-0123456789abcdef"
PASSWORD = "bench-scale-2026"
ZONE_OFFSET = timedelta(hours=7)   # Asia/Jakarta has no daylight saving time
CLINIC_ROLES = ("dokter", "paramedis", "non_paramedis")


@dataclass(frozen=True)
class Probe:
    """One request to time.

    ``who``: ``admin`` (the admin web app's session), ``clinic_admin`` / ``clinic`` (the
    clinic app as the administrator / as a person), ``school``, ``face``, ``mobile`` (as a
    person).  ``path`` and ``body`` are formatted with :func:`_context`'s keys.
    """

    name: str
    path: str
    who: str = "admin"
    method: str = "GET"
    body: dict | None = None
    status: int = 200
    htmx: bool = False
    headers: dict = field(default_factory=dict)


#: What is timed.  Admin pages (full page; ``htmx=True`` for a fragment), reports and exports
#: for the last full month, history APIs of one person with a year of history.
PROBES: list[Probe] = [
    Probe("admin dashboard", "/admin/"),
    Probe("admin review inbox", "/admin/attendance/review"),
    Probe("admin report page (month)", "/admin/attendance/report?start={month_start}&end={month_end}"),
    Probe("admin report page (month, htmx)", "/admin/attendance/report?start={month_start}&end={month_end}",
          htmx=True),
    Probe("admin report.csv (month)", "/admin/attendance/report.csv?start={month_start}&end={month_end}"),
    Probe("admin monthly recap page (month)", "/admin/attendance/recap?month={year}-{month:02d}"),
    Probe("admin monthly recap (month, htmx)", "/admin/attendance/recap?month={year}-{month:02d}", htmx=True),
    Probe("admin monthly recap.xlsx (month)", "/admin/attendance/recap.xlsx?month={year}-{month:02d}"),
    Probe("admin monthly recap.pdf (month)", "/admin/attendance/recap.pdf?month={year}-{month:02d}"),
    Probe("admin monthly recap.csv (month)", "/admin/attendance/recap.csv?month={year}-{month:02d}"),
    Probe("admin person's month", "/admin/attendance/people/{person}/month?month={year}-{month:02d}"),
    Probe("admin dashboard month chart (htmx)", "/admin/attendance/month-chart", htmx=True),
    Probe("admin today's people (not yet in)", "/admin/attendance/today?population=staff&bucket=not_yet"),
    Probe("admin users", "/admin/users"),
    Probe("admin users search", "/admin/users?q=Staf+99"),
    Probe("admin users export.csv", "/admin/users/export.csv"),
    Probe("admin person edit", "/admin/users/{person}/edit"),
    Probe("admin departments", "/admin/departments/"),
    Probe("admin offices", "/admin/offices/"),
    Probe("admin work schedules", "/admin/work-schedules/"),
    Probe("admin roster grid", "/admin/rosters/"),
    Probe("admin roster export.csv", "/admin/rosters/export.csv"),
    Probe("admin shift patterns", "/admin/rosters/patterns"),
    Probe("admin holidays", "/admin/holidays/"),
    Probe("admin device resets", "/admin/device-resets"),
    Probe("admin ER escorts", "/admin/escorts/"),
    Probe("admin clinic patients", "/admin/clinic/patients"),
    Probe("admin service fees", "/admin/clinic/service-fees"),
    Probe("admin classes", "/admin/school/classes"),
    Probe("admin student QR cards", "/admin/school/cards"),
    Probe("admin kiosks", "/admin/kiosks/"),
    Probe("admin face enrolment", "/admin/faces/"),
    Probe("admin posts", "/admin/posts/"),
    Probe("admin settings", "/admin/settings"),
    Probe("clinic attendance-summary (month)",
          "/api/v2/admin/reports/attendance-summary?from={month_start}&to={month_end}", who="clinic_admin"),
    Probe("clinic export-csv (month)", "/api/v2/admin/reports/export-csv", who="clinic_admin", method="POST",
          body={"from_date": "{month_start}", "to_date": "{month_end}"}),
    Probe("clinic pending approvals", "/api/v2/admin/attendance-approvals/pending", who="clinic_admin"),
    Probe("clinic history (year)", "/api/v2/attendance/history?from={year_start}&to={month_end}&per_page=50",
          who="clinic"),
    Probe("clinic history (first page)", "/api/v2/attendance/history", who="clinic"),
    Probe("clinic statistics", "/api/v2/attendance/statistics", who="clinic"),
    Probe("clinic today", "/api/v2/attendance/today", who="clinic"),
    Probe("school history (first page)", "/api/attendance/history", who="school"),
    Probe("school history (month)", "/api/attendance/history?month={month}&year={year}&per_page=100",
          who="school"),
    Probe("face attendance", "/face/api/attendance", who="face"),
    Probe("mobile getabsen (month)", "/api/getabsen", who="mobile", method="POST",
          body={"year": "{year}", "month": "{month}"}),
]

#: Statements timed in a transaction that is rolled back: ``(name, SQL with :person / :schedule)``.
SQL_PROBES: list[tuple[str, str]] = [
    ("delete a person with a year of history (SQL, rolled back)", "DELETE FROM users WHERE id = :person"),
    ("delete an unused work schedule (SQL, rolled back)", "DELETE FROM work_schedules WHERE id = :schedule"),
]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- seeding ---------------------------------------------------------------------------------

def _row_values(table, values: dict) -> tuple:
    """``values`` in ``table``'s column order; a column not given gets its scalar default or None."""
    out = []
    for column in table.columns:
        if column.name in values:
            out.append(values[column.name])
        elif column.default is not None and column.default.is_scalar:
            out.append(column.default.arg)
        else:
            out.append(None)
    return tuple(out)


class BulkWriter:
    """Rows into one table in batches: ``executemany`` (SQLite) or ``COPY`` (PostgreSQL).

    Values are as stored: naive UTC datetimes (``UTCDateTime``), dates, JSON as text.
    """

    def __init__(self, engine, table, batch: int = 20_000, after: "BulkWriter | None" = None):
        self.engine, self.table, self.batch, self.rows = engine, table, batch, []
        self.after = after   # written first (the rows this table's foreign keys point at)
        self.count = 0
        self.columns = [c.name for c in table.columns]

    def add(self, values: dict) -> None:
        self.rows.append(_row_values(self.table, values))
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.after is not None:
            self.after.flush()
        if not self.rows:
            return
        raw = self.engine.raw_connection()
        try:
            driver = raw.driver_connection
            if self.engine.dialect.name == "postgresql":
                with driver.cursor() as cursor:
                    with cursor.copy(f"COPY {self.table.name} ({', '.join(self.columns)}) FROM STDIN") as copy:
                        for row in self.rows:
                            copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in self.columns)
                rows = [tuple(_sqlite_value(v) for v in row) for row in self.rows]
                driver.executemany(f"INSERT INTO {self.table.name} ({', '.join(self.columns)}) VALUES ({marks})",
                                   rows)
            driver.commit()
        finally:
            raw.close()
        self.count += len(self.rows)
        self.rows = []


def _sqlite_value(value):
    # SQLAlchemy's SQLite formats: "YYYY-MM-DD HH:MM:SS.ffffff" and "YYYY-MM-DD".
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _utc(day: date, minutes_local: int) -> datetime:
    """Naive UTC of ``minutes_local`` minutes after local midnight of ``day``."""
    return datetime.combine(day, dtime()) + timedelta(minutes=minutes_local) - ZONE_OFFSET


def seed(app, people: int, days: int) -> dict:
    """Build the data set; returns the ids and tokens the probes need."""
    from flask_migrate import upgrade

    from app.accounts.api_tokens import issue_token
    from app.accounts.models import DeviceBinding, User
    from app.accounts.passwords import hash_password
    from app.api.mobile.tokens import issue_access_token
    from app.attendance.models import AttendanceEvent, DailyAttendance
    from app.common import clock
    from app.departments.services import create_department
    from app.extensions import db
    from app.places.services import create_office
    from app.schedules.services import create_schedule

    with app.app_context():
        with open(os.devnull, "w") as quiet, contextlib.redirect_stderr(quiet):
            upgrade()   # alembic's INFO lines, one per migration
        offices = [create_office(code="0001", name="Kantor Pusat", latitude=-6.2088, longitude=106.8456, radius_m=100),
                   create_office(code="0002", name="Kantor Cabang", latitude=-6.9175, longitude=107.6191, radius_m=150)]
        departments = [create_department(code=f"D{n}", name=f"Unit {n}") for n in range(1, 6)]
        schedule = create_schedule({"name": "Jam Kerja Normal", "check_in_start": "07:00", "check_in_end": "09:00",
                                    "late_after": "08:00", "check_out_start": "16:00", "check_out_end": "18:00",
                                    "working_weekdays": "1,2,3,4,5", "is_active": True})
        spare = create_schedule({"name": "Jam Kerja Ramadhan", "check_in_start": "07:30", "check_in_end": "09:30",
                                 "check_out_start": "15:00"})
        hashed = hash_password(PASSWORD)
        admin = User(name="Admin Skala", role="admin", email="admin@scale.test", npp="90001", password_hash=hashed,
                     office_id=offices[0].id)
        db.session.add(admin)
        staff = [User(name=f"Staf {n:04d}", role=CLINIC_ROLES[n % 3], email=f"staf{n}@scale.test", npp=f"5{n:05d}",
                      nisn_nip_nik=f"33{n:08d}", password_hash=hashed, office_id=offices[n % 2].id,
                      department_id=departments[n % 5].id, position="Staf")
                 for n in range(people)]
        db.session.add_all(staff)
        db.session.flush()
        person = staff[0]
        db.session.add(DeviceBinding(user_id=person.id, device_id="bench-scale-phone"))
        tokens = {"clinic_admin": issue_token(admin, "clinic")[0], "clinic": issue_token(person, "clinic")[0],
                  "school": issue_token(person, "school")[0], "face": issue_token(person, "face")[0]}
        db.session.commit()
        tokens["mobile"] = issue_access_token(person, "bench-scale-phone")[0]
        ids = {"admin": admin.id, "person": person.id, "schedule": schedule.id, "spare_schedule": spare.id,
               "staff": [(u.id, u.office_id) for u in staff]}
        today = clock.local_today()

    start = time.perf_counter()
    last = today - timedelta(days=1)
    first = last - timedelta(days=days - 1)
    workdays = [first + timedelta(days=n) for n in range(days) if (first + timedelta(days=n)).isoweekday() <= 5]
    rng = random.Random(16)
    with app.app_context():
        engine = db.engine
        events = BulkWriter(engine, AttendanceEvent.__table__)
        daily = BulkWriter(engine, DailyAttendance.__table__, after=events)
        event_id = day_id = 0
        pending = approved = 0
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        for user_id, office_id in ids["staff"]:
            for day in workdays:
                if rng.random() < 0.04:
                    continue
                in_minutes = 7 * 60 + 20 + rng.randrange(56)
                late = max(0, in_minutes - 8 * 60)
                draw = rng.random()
                state, reason, reviewer, reviewed_at = "not_required", None, None, None
                if draw < 0.02:
                    state, reason = "pending", "outside_geofence"
                    pending += 1
                elif draw < 0.03:
                    state, reason, reviewer = "approved", "outside_geofence", ids["admin"]
                    reviewed_at = _utc(day, 10 * 60)
                    approved += 1
                event_id += 1
                day_id += 1
                in_id, time_in = event_id, _utc(day, in_minutes)
                common = {"user_id": user_id, "work_date": day, "source": "mobile_gps", "latitude": -6.2088,
                          "longitude": 106.8456, "accuracy_m": 8.0, "office_id": office_id}
                events.add({**common, "id": in_id, "kind": "check_in", "occurred_at": time_in,
                            "distance_m": 180.0 if reason else 12.0, "review_state": state, "flag_reason": reason,
                            "reviewed_by_id": reviewer, "reviewed_at": reviewed_at})
                out_id = time_out = worked = missed = None
                if rng.random() >= 0.02:
                    event_id += 1
                    out_minutes = 16 * 60 + rng.randrange(91)
                    out_id, time_out, worked = event_id, _utc(day, out_minutes), out_minutes - in_minutes
                    events.add({**common, "id": out_id, "kind": "check_out", "occurred_at": time_out,
                                "distance_m": 15.0, "review_state": "not_required"})
                else:
                    missed = _utc(day, 18 * 60)
                status = "pending_review" if state == "pending" else ("late" if late else "present")
                daily.add({"id": day_id, "user_id": user_id, "work_date": day, "schedule_id": ids["schedule"],
                           "check_in_event_id": in_id, "check_out_event_id": out_id, "time_in": time_in,
                           "time_out": time_out, "worked_minutes": worked, "late_minutes": late,
                           "early_leave_minutes": 0, "status": status, "missed_check_out_at": missed,
                           "updated_at": now})
        daily.flush()
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                for table in ("attendance_events", "daily_attendance"):
                    conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                         f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")
            # What autovacuum does to a table that was only inserted into: the statistics, and the
            # visibility map without which an index-only scan still reads every row's page.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
    print(f"seeded {len(ids['staff'])} people x {len(workdays)} working days ({first} .. {last}): "
          f"{events.count} events ({pending} pending review, {approved} approved), {daily.count} day rows "
          f"in {time.perf_counter() - start:.1f} s")
    ids.update(tokens=tokens, today=today)
    return ids


# --- measuring -------------------------------------------------------------------------------

def _statement_counter(engine):
    from sqlalchemy import event

    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return seen


def _context(ids: dict) -> dict:
    """The placeholders of probe paths: the last full month, the year, the measured person."""
    today = ids["today"]
    month_end = today.replace(day=1) - timedelta(days=1)
    month_start = month_end.replace(day=1)
    return {"month_start": month_start.isoformat(), "month_end": month_end.isoformat(),
            "year": month_start.year, "month": month_start.month,
            "year_start": (month_end - timedelta(days=364)).isoformat(), "person": ids["person"]}


def _fill(value, context: dict):
    if isinstance(value, str):
        filled = value.format(**context)
        return int(filled) if value in ("{year}", "{month}") else filled
    if isinstance(value, dict):
        return {k: _fill(v, context) for k, v in value.items()}
    return value


def _clients(app, ids: dict) -> dict:
    from app.api.face.auth import COOKIE

    admin = app.test_client()
    page = admin.get("/admin/login").get_data(as_text=True)
    import re
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)
    response = admin.post("/admin/login", data={"identifier": "admin@scale.test", "password": PASSWORD,
                                                "csrf_token": token})
    assert response.status_code == 302, response.status_code
    face = app.test_client()
    face.set_cookie(COOKIE, ids["tokens"]["face"])
    bearer = {who: {"Authorization": f"Bearer {ids['tokens'][who]}"}
              for who in ("clinic_admin", "clinic", "school", "mobile")}
    return {"admin": (admin, {}), "face": (face, {}),
            **{who: (app.test_client(), headers) for who, headers in bearer.items()}}


def measure(app, ids: dict, repeat: int, only: str | None) -> list[dict]:
    from sqlalchemy import text

    from app.extensions import db

    with app.app_context():
        seen = _statement_counter(db.engine)
    clients = _clients(app, ids)
    context = _context(ids)
    results = []
    for probe in PROBES:
        if only and only.lower() not in probe.name.lower():
            continue
        client, headers = clients[probe.who]
        headers = {**headers, **probe.headers, **({"HX-Request": "true"} if probe.htmx else {})}
        path = _fill(probe.path, context)
        body = _fill(probe.body, context) if probe.body is not None else None
        times, cpu, statements = [], [], 0
        for n in range(repeat + 1):
            seen.clear()
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.open(path, method=probe.method, json=body, headers=headers)
            elapsed = (time.perf_counter() - start) * 1000
            used = (time.process_time() - start_cpu) * 1000
            if response.status_code != probe.status:
                raise SystemExit(f"{probe.name}: {probe.method} {path} answered {response.status_code}, "
                                 f"expected {probe.status}: {response.get_data(as_text=True)[:300]}")
            if n:
                times.append(elapsed)
                cpu.append(used)
                statements = len(seen)
        results.append(_result(probe.name, times, statements, cpu))
    for name, sql in SQL_PROBES:
        if only and only.lower() not in name.lower():
            continue
        times, cpu = [], []
        with app.app_context():
            for _ in range(repeat):
                with db.engine.connect() as conn:
                    transaction = conn.begin()
                    start, start_cpu = time.perf_counter(), time.process_time()
                    conn.execute(text(sql), {"person": ids["staff"][1][0], "schedule": ids["spare_schedule"]})
                    times.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
                    transaction.rollback()
        results.append(_result(name, times, 1, cpu))
    return results


def _result(name: str, times: list[float], statements: int, cpu: list[float]) -> dict:
    row = {"name": name, "median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1),
           "statements": statements, "cpu_median_ms": round(statistics.median(cpu), 1)}
    print(f"  {row['median_ms']:9.1f} {row['max_ms']:9.1f} {row['cpu_median_ms']:9.1f} {statements:6d}  {name}",
          flush=True)
    return row


def run(db_url: str, args) -> list[dict]:
    os.environ["DATABASE_URL"] = db_url
    sys.path.insert(0, str(ROOT))
    from app import create_app

    app = create_app({"SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False, "RATELIMIT_STORAGE_URI": "memory://"})
    ids = seed(app, args.people, args.days)
    gc.collect()
    gc.freeze()   # as wsgi.py does after start-up: a served worker's long-lived objects are frozen
    print(f"load average {_load()} after seeding; {args.repeat} timed requests per probe after one warm-up")
    print(f"  {'median ms':>9} {'max ms':>9} {'CPU ms':>9} {'stmts':>6}  probe")
    results = measure(app, ids, args.repeat, args.only)
    print(f"load average {_load()} at the end")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default=PG_DEFAULT, help="scratch database, dropped and re-created")
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365, help="days of history up to yesterday")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per probe (after one warm-up)")
    parser.add_argument("--only", help="only the probes whose name contains this text")
    parser.add_argument("--json", metavar="FILE", help='write [{"name", "median_ms", "max_ms", "statements"}]')
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file / PostgreSQL database")
    args = parser.parse_args()
    print(f"load average {_load()} ({os.cpu_count()} cores), {args.db}, {args.people} people x {args.days} days, "
          f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC", flush=True)
    if args.db == "sqlite":
        folder = tempfile.mkdtemp(prefix="hadir-scale-")
        try:
            results = run(f"sqlite:///{folder}/scale.sqlite3", args)
        finally:
            if args.keep:
                print(f"kept {folder}/scale.sqlite3")
            else:
                subprocess.run(["rm", "-rf", folder], check=False)
    else:
        name = args.pg_url.rpartition("/")[2]
        subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        try:
            results = run(args.pg_url.replace("postgresql://", "postgresql+psycopg://", 1), args)
        finally:
            if not args.keep:
                from app.extensions import db  # noqa: F401  (engine disposed with the process)
                subprocess.run(["dropdb", "--if-exists", "--force", "-h", "127.0.0.1", "-U", "postgres", name],
                               check=False)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
