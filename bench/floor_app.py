"""The *floor* of a check-in: the least any Flask app must do to answer ``POST /api/absenmasuk``
as Hadir does, without giving anything up.  A benchmark baseline for ``bench/checkin.py
--floor``, served by the same gunicorn configuration as Hadir and ``bench/bare_app.py``;
nothing in ``app/`` imports it and it is never deployed.

What it does, per request (plain Flask, no Flask extension; the raw driver, one connection per
worker process, no SQLAlchemy):

1. **Token.** The bearer JWT decoded and verified as Hadir's mobile dialect does
   (``app/api/mobile/tokens.py``: PyJWT, HS256, the server's ``SECRET_KEY``, ``exp`` and ``sub``
   required, ``exp`` checked, ``typ == "access"``, ``sub`` all digits); 401 with Hadir's bodies.
2. **Rate limit.** 60 per minute per user (key ``mobile:user:<sub>``), the ``limits`` library's
   fixed window on the worker's memory storage, the same storage class Hadir's ``memory://``
   resolves to (:mod:`app.common.memory_limits`); past it 429 with Hadir's body.
3. **One SELECT**: the token's user (must exist and be active), its device binding (must be the
   token's ``dev``) and the office named by ``branch_id`` (active, by code; the person's own
   office when no ``branch_id``) with its centre and radius — users ⟕ device_bindings ⟕ offices.
4. **Body.** Latitude, longitude and the optional accuracy parsed by Hadir's own parser
   (:func:`app.api.mobile.schemas.position`, same 422 answers); an unknown ``branch_id`` is 422.
5. **Geofence.** Haversine distance (:func:`app.places.services.haversine_m`) against the radius;
   a position outside it, or an accuracy worse than it, or no office at all is recorded *held for
   review* (``outside_geofence`` / ``low_accuracy`` / ``no_office``), as Hadir does.
6. **Write**, with Hadir's durability: the event and the person's day row of the local date
   (``TIMEZONE``), the unique (user, work_date) refusing a second check-in (answer 82, nothing
   recorded), the NOT NULL columns Hadir fills filled the same way.
   - SQLite (WAL, ``synchronous=NORMAL``, ``busy_timeout`` 5 s, foreign keys on, as
     ``app/common/sqlite.py``): the SELECT outside any write lock, then ``BEGIN IMMEDIATE``,
     ``INSERT`` event ``RETURNING id``, ``INSERT`` day ``ON CONFLICT DO NOTHING RETURNING id``,
     ``COMMIT`` (``ROLLBACK`` when the day was refused).
   - PostgreSQL (psycopg 3, ``synchronous_commit`` left on): the SELECT, then one statement in
     autocommit — the day's ``INSERT … ON CONFLICT DO NOTHING RETURNING`` taking the event's id
     from its sequence, and the event's ``INSERT … SELECT`` from it — so a refused day inserts no
     event and the statement's own commit is the ``COMMIT``: two round trips per check-in.
7. **Answer**: Hadir's exact success body, ``{"rcode":"00","message":"Check-in successful","data":
   {"status","reason","distance_m","time","tanggal"}}`` (``pending_review`` / "Check-in recorded,
   awaiting review" when held), and Hadir's 82 body for a second check-in.

What Hadir does on top (the difference between this floor and Hadir's figure):

- the person's **schedule** of today and yesterday (roster → own → department → office →
  organisation, holidays, working weekdays) and its check-in **window** (refusing outside it,
  holding after it), the work date from that window, **lateness** minutes and the day's status;
- the **plausibility** judgement beyond the geofence: wrong office (and its refuse/hold setting),
  implausible accuracy, impossible travel from the person's **previous position** (one more
  statement), each with its facts in ``flag_details``;
- the **idempotency key** (``Idempotency-Key`` / ``client_ref``: a replay answers the first
  result) and its unique (user, client_ref);
- per-worker caches behind **version stamps** read in the token's query (offices, settings,
  schedules) so that another server's change is seen at once;
- SQLAlchemy's ORM ``User`` for ``g.user`` and the session's transaction at the request boundary;
- Flask-Limiter's request hook and its ``X-RateLimit-*`` headers, Talisman's **security headers**
  (CSP, frame, referrer, permissions policy), Flask-Login and the **session**'s ``Vary: Cookie``,
  Flask-Babel's locale selection (**i18n**), the dialect mounts and error envelopes of five API
  dialects, the admin web app's and kiosk's hooks that every request passes.
"""
from __future__ import annotations

import json
import os
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # Hadir's modules, served from bench/

import jwt
from flask import Flask, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app.api.mobile.schemas import position  # noqa: E402
from app.api.mobile.tokens import ALGORITHM
from app.common import memory_limits  # noqa: F401  (registers Hadir's memory:// storage class)
from app.common.errors import ValidationFailed
from app.places.services import haversine_m

SECRET_KEY = os.environ["SECRET_KEY"]
DATABASE_URL = os.environ["DATABASE_URL"]
ZONE = ZoneInfo(os.environ.get("TIMEZONE", "Asia/Jakarta"))
#: Contract 001, "Rate Limiting": 60 requests a minute per caller (Hadir's ``DEFAULT_LIMIT``).
LIMIT = parse("60 per minute")
LIMITER = FixedWindowRateLimiter(storage_from_string("memory://"))

app = Flask(__name__)
app.json.sort_keys = False  # the contract's field order, as Hadir (rcode, message, data)

_USER_SQL = """SELECT u.is_active, d.device_id, o.id, o.latitude, o.longitude, o.geofence_radius_m
FROM users u
LEFT JOIN device_bindings d ON d.user_id = u.id
LEFT JOIN offices o ON {office} AND o.is_active
WHERE u.id = {p}"""
_EVENT_COLUMNS = ("user_id, kind, occurred_at, work_date, source, latitude, longitude, accuracy_m, office_id, "
                  "distance_m, device_id, review_state, flag_reason, flag_details")
_DAY_COLUMNS = "user_id, work_date, check_in_event_id, time_in, late_minutes, early_leave_minutes, status, updated_at"


class _Connection:
    """One worker's database connection (``conn``, a DB-API connection whose ``execute`` returns a
    cursor) and the token's SELECT in its driver's placeholder style."""

    def __init__(self, conn, placeholder: str):
        self.conn = conn
        self.user_by_code = _USER_SQL.format(office=f"o.code = {placeholder}", p=placeholder)
        self.user_own_office = _USER_SQL.format(office="o.id = u.office_id", p=placeholder)

    def user(self, user_id: int, code: str | None):
        """``(is_active, device_id, office_id, latitude, longitude, radius_m)`` of the user and the
        active office of ``code`` (their own office when None); the office's four are None when
        there is none; None when the user does not exist."""
        if code is None:
            return self.conn.execute(self.user_own_office, (user_id,)).fetchone()
        return self.conn.execute(self.user_by_code, (code, user_id)).fetchone()


class _SQLite(_Connection):
    """One worker's SQLite connection, with Hadir's connection settings."""

    def __init__(self, path: str):
        super().__init__(sqlite3.connect(path, isolation_level=None, check_same_thread=False), "?")
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000", "foreign_keys=ON"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.insert_event = f"INSERT INTO attendance_events ({_EVENT_COLUMNS}) VALUES ({', '.join('?' * 14)}) RETURNING id"
        self.insert_day = (f"INSERT INTO daily_attendance ({_DAY_COLUMNS}) VALUES (?, ?, ?, ?, 0, 0, ?, ?) "
                           "ON CONFLICT (user_id, work_date) DO NOTHING RETURNING id")

    def record(self, event: tuple, user_id: int, work_date, occurred_at, status: str) -> bool:
        """Insert the event and its day in one write transaction; False (nothing written) when the
        day already exists."""
        at = occurred_at.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DateTime format
        day = work_date.isoformat()
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            event_id = conn.execute(self.insert_event, (user_id, "check_in", at, day, *event)).fetchall()[0][0]
            claimed = conn.execute(self.insert_day, (user_id, day, event_id, at, status, at)).fetchall()
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT" if claimed else "ROLLBACK")
        return bool(claimed)


class _Postgres(_Connection):
    """One worker's psycopg connection in autocommit: each statement is its own transaction."""

    def __init__(self, url: str):
        import psycopg

        super().__init__(psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True),
                         "%s")
        sequence = self.conn.execute("SELECT pg_get_serial_sequence('attendance_events', 'id')").fetchone()[0]
        # The day first: refused (already there), it returns no row and no event is inserted; the
        # event's id comes from its sequence so the day can point at it (the foreign key is checked
        # at the end of the statement, when both rows exist).
        self.record_sql = (
            f"WITH d AS (INSERT INTO daily_attendance ({_DAY_COLUMNS}) "
            f"VALUES (%s, %s, nextval('{sequence}'), %s, 0, 0, %s, %s) "
            "ON CONFLICT (user_id, work_date) DO NOTHING RETURNING check_in_event_id) "
            f"INSERT INTO attendance_events (id, {_EVENT_COLUMNS}) "
            "SELECT d.check_in_event_id, %s::int, 'check_in', %s::timestamp, %s::date, %s::varchar, "
            "%s::float8, %s::float8, %s::float8, %s::int, %s::float8, %s::varchar, %s::varchar, %s::varchar, "
            "%s::json FROM d RETURNING id")

    def record(self, event: tuple, user_id: int, work_date, occurred_at, status: str) -> bool:
        """The day and its event in one autocommitted statement; False (nothing written) when the
        day already exists."""
        at = occurred_at.replace(tzinfo=None)  # naive UTC, as Hadir's UTCDateTime stores it
        row = self.conn.execute(self.record_sql, (user_id, work_date, at, status, at,
                                                  user_id, at, work_date, *event)).fetchone()
        return row is not None


_db = None


def database():
    """This worker's connection, opened at its first request (after gunicorn's fork)."""
    global _db
    if _db is None:
        if DATABASE_URL.startswith("sqlite:///"):
            _db = _SQLite(DATABASE_URL[len("sqlite:///"):])
        else:
            _db = _Postgres(DATABASE_URL)
    return _db


def _unauthorized(message: str):
    return {"message": message}, 401, {"WWW-Authenticate": "Bearer"}


def _claims() -> dict | str:
    """The verified claims of the bearer token, or the 401 message (Hadir's ``bearer_claims``)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return "Token not provided"
    try:
        claims = jwt.decode(token.strip(), SECRET_KEY, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        return "Token is expired"
    except jwt.InvalidTokenError:
        return "Token is invalid"
    if claims.get("typ") != "access" or not str(claims.get("sub", "")).isdigit():
        return "Token is invalid"
    return claims


def _geofence(row, latitude: float, longitude: float, accuracy_m: float | None):
    """``(distance_m, flag_reason, flag_details)`` of the position against the office of ``row``."""
    office_id, office_lat, office_lon, radius = row[2:6]
    if office_id is None:
        return None, "no_office", [{"reason": "no_office"}]
    distance = haversine_m(office_lat, office_lon, latitude, longitude)
    if distance > radius:
        return distance, "outside_geofence", [{"reason": "outside_geofence", "distance_m": round(distance, 1),
                                               "radius_m": radius}]
    if accuracy_m is not None and accuracy_m > radius:
        return distance, "low_accuracy", [{"reason": "low_accuracy", "accuracy_m": round(accuracy_m, 1),
                                           "radius_m": radius}]
    return distance, None, None


@app.post("/api/absenmasuk")
def check_in():
    claims = _claims()
    if isinstance(claims, str):
        return _unauthorized(claims)
    user_id = int(claims["sub"])
    if not LIMITER.hit(LIMIT, "mobile", f"mobile:user:{user_id}"):
        return {"rcode": "83", "message": "Too many requests. Please try again later."}, 429
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        data = {}
    branch = data.get("branch_id")
    code = str(branch)[:21] if branch not in (None, "") else None
    db = database()
    row = db.user(user_id, code)
    if row is None or not row[0] or row[1] != claims.get("dev"):
        return _unauthorized("Token is invalid")
    try:
        latitude, longitude, accuracy_m = position(data)
        if code is not None and (len(code) > 20 or row[2] is None):
            raise ValidationFailed({"branch_id": ["The selected branch_id is invalid."]})
    except ValidationFailed as exc:
        return {"rcode": "01", "message": "Validation failed", "errors": exc.errors}, 422
    distance, reason, details = _geofence(row, latitude, longitude, accuracy_m)
    now = datetime.now(timezone.utc)
    local_now = now.astimezone(ZONE)
    work_date = local_now.date()
    held = reason is not None
    event = ("mobile_gps", latitude, longitude, accuracy_m, row[2], distance, claims.get("dev"),
             "pending" if held else "not_required", reason, json.dumps(details) if details else None)
    if not db.record(event, user_id, work_date, now, "pending_review" if held else "present"):
        return {"rcode": "82", "message": "You have already checked in today"}, 400
    return {"rcode": "00", "message": "Check-in recorded, awaiting review" if held else "Check-in successful",
            "data": {"status": "pending_review" if held else "accepted", "reason": reason,
                     "distance_m": round(distance, 1) if distance is not None else None,
                     "time": local_now.strftime("%H:%M"), "tanggal": work_date.isoformat()}}


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
