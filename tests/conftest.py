"""Shared fixtures: one app per test session on SQLite (default) or PostgreSQL.

``TEST_DATABASE_URL`` selects the database (``make test`` runs SQLite, then
PostgreSQL).  The schema is built by the Alembic migrations (never
``create_all``), and every test starts from empty tables.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from app import create_app
from app.accounts.models import User
from app.accounts.passwords import hash_password
from app.common import clock
from app.extensions import db, limiter
from app.places.models import Office
from app.schedules.models import WorkSchedule

PASSWORD = "password123"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _reset_schema(app) -> None:
    """Drop everything, then build the schema with the migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        if database_url.startswith("postgresql://") else database_url,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": "localhost",
    })
    _reset_schema(app)
    return app


@pytest.fixture(scope="session")
def password_hash():
    """One argon2 hash of :data:`PASSWORD`, reused so tests do not pay for hashing."""
    return hash_password(PASSWORD)


@pytest.fixture(autouse=True)
def _clean(app):
    """Empty every table and the rate-limit counters before each test."""
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                names = ", ".join(t.name for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())
        limiter.reset()
    # ids restart with every test: a cached face gallery could describe other people
    from app.faces.services import clear_gallery_cache
    clear_gallery_cache()
    from app.system.cache_versions import clear_local_caches
    clear_local_caches()  # the offices and settings each worker keeps (the same ids, other rows)
    yield
    with app.app_context():
        db.session.remove()


@pytest.fixture
def count_statements(app):
    """Counts SQL statements (savepoints aside): ``with count_statements() as seen: ...``, then
    ``seen.count`` and ``seen.statements`` (their first 120 characters, for the failure message)."""
    from contextlib import contextmanager

    from sqlalchemy import event

    class Seen:
        def __init__(self):
            self.statements: list[str] = []

        @property
        def count(self) -> int:
            return len(self.statements)

    @contextmanager
    def counting():
        seen = Seen()

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE")):
                seen.statements.append(statement[:120])

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield seen
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def flat_statement_counts(count_statements):
    """``flat_statement_counts(session, [(url, htmx), ...], add)`` asserts that each GET of
    ``session`` (an :class:`~tests.helpers.AdminSession`, every answer 200) sends as many SQL
    statements after ``add(27)`` as after ``add(3)`` (``add(n)`` arranges n more people), i.e. no
    query per person or per day; returns the text of the last answer."""

    def counts(session, urls):
        found, response = [], None
        for url, htmx in urls:
            with count_statements() as seen:
                response = session.get(url, htmx=htmx)
            assert response.status_code == 200, url
            found.append(seen.count)
        return found, response.get_data(as_text=True)

    def check(session, urls, add):
        add(3)
        few, _ = counts(session, urls)
        add(27)
        many, body = counts(session, urls)
        assert many == few
        return body

    return check


@pytest.fixture
def ctx(app):
    """An app context for tests that call services directly."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture(scope="session")
def memoised_face_pipeline():
    """Memoise :func:`app.faces.services.detect_faces` and ``encode_faces`` per image content
    for the whole session: every photo still goes through the real dlib pipeline once
    (~0.1-0.6 s each), and every test still calls the real services.  Request it from the
    face tests' conftest (an autouse fixture that depends on it)."""
    import hashlib

    from app.faces import services

    detect, encode = services.detect_faces, services.encode_faces
    boxes_cache: dict = {}
    faces_cache: dict = {}

    def key(pixels):
        return hashlib.sha1(pixels.tobytes()).hexdigest(), pixels.shape

    def cached_detect(pixels, **kwargs):
        k = (key(pixels), tuple(sorted(kwargs.items())))
        if k not in boxes_cache:
            boxes_cache[k] = detect(pixels, **kwargs)
        return list(boxes_cache[k])

    def cached_encode(pixels, boxes):
        k = (key(pixels), tuple(map(tuple, boxes)))
        if k not in faces_cache:
            faces_cache[k] = encode(pixels, boxes)
        return list(faces_cache[k])

    patch = pytest.MonkeyPatch()
    patch.setattr(services, "detect_faces", cached_detect)
    patch.setattr(services, "encode_faces", cached_encode)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def uploads(app, tmp_path, monkeypatch):
    """Every test stores photos under its own temporary ``UPLOAD_FOLDER`` (never ``instance/``);
    returns that folder (a :class:`pathlib.Path`, created on first write)."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


@pytest.fixture
def client(app):
    return app.test_client()


class Factory:
    """Creates rows directly (committed), for arranging a test."""

    def __init__(self, app, password_hash):
        self.app = app
        self.password_hash = password_hash
        self._n = 0

    def _commit(self, obj):
        with self.app.app_context():
            db.session.add(obj)
            db.session.commit()
            db.session.refresh(obj)
            db.session.expunge(obj)
        return obj

    def office(self, code="0001", name="Kantor Pusat Jakarta", lat=-6.2088, lon=106.8456, radius=100, **kw):
        return self._commit(Office(code=code, name=name, latitude=lat, longitude=lon, geofence_radius_m=radius, **kw))

    def user(self, role="pegawai", npp=None, office=None, name=None, **kw):
        self._n += 1
        if npp is None and role not in ("siswa",):
            npp = f"1{self._n:04d}"
        return self._commit(User(name=name or f"Pegawai {self._n}", role=role, npp=npp,
                                 office_id=office.id if office else None,
                                 password_hash=self.password_hash, **kw))

    def schedule(self, name="Jam Kerja Normal", check_in=("07:00", "09:00"), check_out=("16:00", "18:00"),
                 late_after="08:00", active=True):
        def t(value):
            return datetime.strptime(value, "%H:%M").time() if value else None

        return self._commit(WorkSchedule(
            name=name, check_in_start=t(check_in[0]), check_in_end=t(check_in[1]),
            check_out_start=t(check_out[0]), check_out_end=t(check_out[1]),
            late_after=t(late_after), is_active=active))


    def night_shift_for(self, user, name="Shift Malam", starts_on="2026-01-01"):
        """A night shift (in 19:00–22:00, late after 20:00, out 04:00–06:00, every day), not the
        organisation's default, assigned to ``user`` from ``starts_on``; returns the schedule."""
        from datetime import date as _date

        from app.schedules.models import ScheduleAssignment

        schedule = self.schedule(name=name, check_in=("19:00", "22:00"), check_out=("04:00", "06:00"),
                                 late_after="20:00", active=False)
        with self.app.app_context():
            db.session.execute(db.update(WorkSchedule).where(WorkSchedule.id == schedule.id)
                               .values(working_days_mask=127))
            db.session.commit()
        self._commit(ScheduleAssignment(schedule_id=schedule.id, user_id=user.id,
                                        starts_on=_date.fromisoformat(starts_on)))
        return schedule

@pytest.fixture
def factory(app, password_hash):
    return Factory(app, password_hash)


@pytest.fixture
def freeze_time(monkeypatch):
    """Freeze the application's one clock (:mod:`app.common.clock`) for this test.

    ``freeze_time("2026-01-30T08:15+07:00")`` (ISO text with its offset, or an aware
    ``datetime``) stops ``clock.now()`` — and with it ``local_today()``, model defaults and
    every rule, also of a live server thread — at that moment; call it again to move the
    clock, ``freeze_time(None)`` to let it run.  Returns the moment in UTC (or ``None``).
    The clock runs again after the test.
    """

    def _freeze(when: str | datetime | None) -> datetime | None:
        if when is None:
            monkeypatch.setattr(clock, "_frozen_at", None)
            return None
        moment = datetime.fromisoformat(when) if isinstance(when, str) else when
        if moment.tzinfo is None:
            raise ValueError(f"freeze_time needs a moment with its offset, not {when!r}")
        moment = moment.astimezone(timezone.utc)
        monkeypatch.setattr(clock, "_frozen_at", moment)
        return moment

    return _freeze
