"""A person's latest position is read from the top of ``ix_attendance_events_user_fix`` on SQLite
and PostgreSQL, not by sorting all of the person's events: a check-in's cost must not grow with
the table (DESIGN.md, performance).  Seen through each database's plan of the app's own
statements (:func:`app.attendance.plausibility.previous_fix`'s query and the token statement's
join, :func:`~app.attendance.plausibility.with_latest_fix`)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import bindparam, select, text

from app.accounts.models import User
from app.attendance import plausibility
from app.attendance.models import AttendanceEvent
from app.extensions import db

T0 = datetime(2026, 1, 1, 1, 0, tzinfo=timezone.utc)
INDEX = "ix_attendance_events_user_fix"


def _a_year_of_events(*people, analyse: bool = True) -> None:
    """300 events for each of ``people`` (a few offline: a phone time; a few without a position),
    committed and (PostgreSQL, ``analyse``) analysed."""
    rows = []
    for user in people:
        for n in range(300):
            at = T0 + timedelta(days=n // 2, hours=n % 2 * 9)
            rows.append(dict(user_id=user.id, kind="check_in" if n % 2 == 0 else "check_out", occurred_at=at,
                             client_time=at - timedelta(minutes=5) if n % 7 == 0 else None,
                             work_date=date(2026, 1, 1) + timedelta(days=n // 2), source="mobile_gps",
                             latitude=None if n % 50 == 0 else -6.2, longitude=None if n % 50 == 0 else 106.8,
                             accuracy_m=8.0))
    db.session.execute(AttendanceEvent.__table__.insert(), rows)
    db.session.commit()
    if analyse and db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE attendance_events"))


def _plan(stmt, params: dict) -> str:
    """The database's plan of ``stmt`` as text (SQLite: EXPLAIN QUERY PLAN's details, one a line)."""
    compiled = stmt.compile(dialect=db.engine.dialect)
    sql = str(compiled)
    values = {**compiled.params, **params}
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, tuple(values[name] for name in compiled.positiontup))
            return "\n".join(row[-1] for row in rows)
        rows = conn.exec_driver_sql("EXPLAIN " + sql, values)
        return "\n".join(row[0] for row in rows)


def _reads_the_top_of_the_index(plan: str) -> bool:
    return INDEX in plan and "TEMP B-TREE" not in plan and "Sort" not in plan


def _previous_fix_plan(person) -> str:
    return _plan(plausibility._previous_fix_query(),
                 {"user_id": person.id, "at": T0 + timedelta(days=200)})


def _token_statement_plan(person) -> str:
    stmt = plausibility.with_latest_fix(select(User.id).where(User.id == bindparam("person")), User.id,
                                        db.engine.dialect.name)
    return _plan(stmt, {"person": person.id})


def test_both_statements_read_the_top_of_the_index(app, factory):
    person, other = factory.user(), factory.user()
    with app.app_context():
        _a_year_of_events(person, other)
        for plan in (_previous_fix_plan(person), _token_statement_plan(person)):
            assert _reads_the_top_of_the_index(plan), plan
        fix = plausibility.previous_fix(person.id, T0 + timedelta(days=200))
        latest = max((e for e in db.session.scalars(select(AttendanceEvent).where(
            AttendanceEvent.user_id == person.id, AttendanceEvent.latitude.is_not(None)))),
            key=lambda e: (e.client_time or e.occurred_at, e.id))
        assert fix.event_id == latest.id  # the index changed the plan, not the answer


def test_without_statistics_postgresql_still_reads_the_index(app, factory):
    """A table never analysed (a fresh database, after a restore) is planned from its size alone.
    (Of a table of a few pages PostgreSQL guesses one row per person and may sort it instead:
    40 people's events, 12,000 rows, are enough for a guess of a real table.)"""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    people = [factory.user() for _ in range(40)]
    person = people[0]
    with app.app_context():
        _a_year_of_events(*people, analyse=False)
        with db.engine.begin() as conn:  # none from an earlier test or autovacuum either
            conn.execute(text("DELETE FROM pg_statistic WHERE starelid = 'attendance_events'::regclass"))
        assert _reads_the_top_of_the_index(_previous_fix_plan(person)), _previous_fix_plan(person)
        assert _reads_the_top_of_the_index(_token_statement_plan(person)), _token_statement_plan(person)
