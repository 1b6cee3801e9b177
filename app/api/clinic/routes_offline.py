"""Contract 000 "Offline Support": the offline data package, syncing offline attendance, offline status.

Sync uses the shared offline service (:mod:`app.attendance.offline`, also behind the
school dialect), so the rules are the same everywhere:

- each record carries ``local_id`` (the phone's own id, echoed in its result);
  a record sent again (same person, action and time) is acknowledged again as
  ``duplicate`` with the attendance it produced the first time — never recorded twice;
- the server's clock is trusted, not the phone's: a record more than 5 minutes in the
  future or older than 30 days is refused (``future`` / ``too_old``); every record
  accepted waits for a reviewer (``requires_review: true``, ``review_reason: "offline"``),
  never a normal check-in;
- each record is processed on its own: one refused record does not refuse the others;
  the answer is 200 with one result per record, in the order sent;
- ``attendance_id`` is the attendance (the day's record) a record went into, the id the
  history, today and the approvals use (one id space, :mod:`app.api.clinic`).

A record: ``local_id`` (text, ≤ 64), ``action`` (``checkin``|``checkout``), ``timestamp``
(ISO 8601 with ``Z`` or an offset, e.g. ``2025-07-15T08:30:00.000000Z``; kept to the
second), ``latitude``/``longitude`` (optional, together, finite), ``accuracy`` (metres,
optional), ``offline_created`` (informational).  At most :data:`MAX_RECORDS` per request.

Rate limits: ``sync-attendance`` counts against ``attendance`` (10 per minute); the reads
against ``general``.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask import g, request

from ...attendance import offline
from ...common import clock
from ...common.errors import ValidationFailed
from ...places.services import active_offices, parse_accuracy, parse_coordinate
from ...schedules.resolution import resolve_days
from ...schedules.models import WorkSchedule
from . import envelope
from .auth import token_required
from .blueprint import bp
from .ratelimit import rate_limit
from .serializers import me, work_location
from .validation import Checker, json_body

#: ``?types=`` of the data package, all by default.
PACKAGE_TYPES = ("locations", "users", "schedule")
#: How long a data package stays valid (the contract's example: 10:30 → 18:30).
CACHE_LIFETIME = timedelta(hours=8)
#: Most records in one sync request (the shared service's batch limit).
MAX_RECORDS = offline.MAX_BATCH
ACTIONS = ("checkin", "checkout")
#: Shared-service refusal reason → the record's ``error``.
REFUSALS = {
    "future": "The record's time is in the future.",
    "too_old": f"The record is older than {offline.MAX_AGE.days} days.",
    "already_checked_in": "A check-in is already recorded for that day.",
    "already_checked_out": "A check-out is already recorded for that day.",
    "not_checked_in": "There is no check-in for that day.",
    "check_out_before_check_in": "The check-out is earlier than the day's check-in.",
    "busy": "The same record is being processed; send it again.",
    "invalid": "The record is invalid.",
}
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


# --- data package -----------------------------------------------------------------------------


def _schedule_json(schedule: WorkSchedule) -> dict:
    def hhmm(value):
        """A time of day as ``HH:MM``, or None when unset."""
        return value.strftime("%H:%M") if value is not None else None

    return {"id": schedule.id, "name": schedule.name, "check_in_start": hhmm(schedule.check_in_start),
            "check_in_end": hhmm(schedule.check_in_end), "check_out_start": hhmm(schedule.check_out_start),
            "check_out_end": hhmm(schedule.check_out_end), "late_after": hhmm(schedule.late_after),
            "is_active": bool(schedule.is_active)}


def _own_schedules(user, today) -> list[dict]:
    """The person's work schedules of today and the next :data:`SCHEDULE_DAYS` days (their own:
    roster, assignment, department, office or the organisation's), each once, in date order."""
    seen, found = set(), []
    for day in resolve_days(user, [today + timedelta(days=n) for n in range(SCHEDULE_DAYS)]):
        if day.schedule is not None and day.schedule.id not in seen:
            seen.add(day.schedule.id)
            found.append(_schedule_json(day.schedule))
    return found


#: How many days ahead the offline package's ``schedule`` looks (today included).
SCHEDULE_DAYS = 8


@bp.get("/offline/data")
@token_required()
def offline_data():
    """``GET /api/v2/offline/data?types=locations,users,schedule`` (default: all three).

    ``data {locations: [work location], users: {the signed-in person, as auth/me, plus
    work_location_id}, schedule: [the person's own work schedules of today and the next 7 days,
    each once, local HH:MM times],
    cache_timestamp, expires_at (8 hours later)}``, only the types asked for.
    422 ``errors.types`` for an unknown type.
    """
    raw = request.args.get("types")
    wanted = [t.strip() for t in raw.split(",") if t.strip()] if raw else list(PACKAGE_TYPES)
    unknown = [t for t in wanted if t not in PACKAGE_TYPES]
    if unknown or not wanted:
        raise ValidationFailed({"types": [f"The types must be a list of: {', '.join(PACKAGE_TYPES)}."]})
    now = clock.now()
    data: dict = {}
    if "locations" in wanted:
        data["locations"] = [work_location(office) for office in active_offices(by_name=True)]
    if "users" in wanted:
        data["users"] = {**me(g.user), "work_location_id": g.user.office_id}
    if "schedule" in wanted:
        data["schedule"] = _own_schedules(g.user, clock.local_today())
    data["cache_timestamp"] = clock.iso_utc(now)
    data["expires_at"] = clock.iso_utc(now + CACHE_LIFETIME)
    return envelope.ok(data, "Offline data package")


# --- sync ---------------------------------------------------------------------------------------


def _parse_instant(value) -> datetime | None:
    """An aware UTC instant from ISO 8601 text with a zone; None when malformed."""
    if not isinstance(value, str) or not _ISO.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _check_record(raw) -> tuple[str | None, dict, dict]:
    """``(local_id, shared-service item, errors)`` of one record (errors keyed by field)."""
    if not isinstance(raw, dict):
        return None, {}, {"record": ["Each offline record must be an object."]}
    check = Checker(raw)
    check.string("local_id", required=True, max_length=64)
    check.choice("action", ACTIONS, required=True)
    moment = _parse_instant(raw.get("timestamp"))
    if moment is None:
        check.fail("timestamp", "The timestamp must be an ISO 8601 time with a time zone "
                                "(2025-07-15T08:30:00.000000Z).")
    for name, limit in (("latitude", 90), ("longitude", 180)):
        if raw.get(name) is not None:
            check.adopt(name, lambda v, n=name, lim=limit: parse_coordinate(v, field=n, limit=lim))
    if ("latitude" in check.clean) != ("longitude" in check.clean) and "latitude" not in check.errors \
            and "longitude" not in check.errors:
        check.fail("longitude" if "latitude" in check.clean else "latitude",
                   "The latitude and longitude must be given together.")
    if raw.get("accuracy") is not None:
        check.adopt("accuracy", parse_accuracy)
    check.boolean("offline_created")
    local_id = check.clean.get("local_id")
    if check.errors:
        return local_id, {}, check.errors
    item = {"type": check.clean["action"],
            "timestamp": clock.to_local(moment).strftime("%Y-%m-%d %H:%M:%S"),
            "latitude": check.clean.get("latitude"), "longitude": check.clean.get("longitude"),
            "accuracy": check.clean.get("accuracy")}
    return local_id, item, {}


def _result(local_id, action, outcome) -> dict:
    if not outcome.ok:
        return {"local_id": local_id, "action": action, "status": "failed", "reason": outcome.reason,
                "error": REFUSALS.get(outcome.reason, "The record was refused."), "attendance_id": None}
    event = outcome.event
    return {"local_id": local_id, "action": action, "status": "duplicate" if outcome.replayed else "synced",
            "attendance_id": outcome.daily.id if outcome.daily is not None else None,
            "date": event.work_date.isoformat(), "recorded_time": clock.iso_utc(event.client_time),
            "requires_review": event.review_state == "pending", "review_reason": event.flag_reason,
            "review_state": event.review_state}


@bp.post("/offline/sync-attendance")
@rate_limit("attendance")
@token_required()
def offline_sync_attendance():
    """``POST /api/v2/offline/sync-attendance``: ``{"offline_records": [record, ...]}`` (see the module).

    200 ``data {synced_count, duplicate_count, failed_count, results: [{local_id, action,
    status synced|duplicate|failed, attendance_id, date, recorded_time,
    requires_review, review_reason, review_state} | {local_id, action, status "failed",
    reason, error, errors?}]}`` in the order sent.  422 ``errors.offline_records`` when it
    is missing, not a list, empty or longer than :data:`MAX_RECORDS`.
    """
    records = json_body().get("offline_records")
    if not isinstance(records, list) or not records:
        raise ValidationFailed({"offline_records": ["The offline records field is required and must be a "
                                                    "non-empty array."]})
    if len(records) > MAX_RECORDS:
        raise ValidationFailed({"offline_records": [f"The offline records may not have more than "
                                                    f"{MAX_RECORDS} items."]})
    now = clock.now()
    results: list[dict | None] = [None] * len(records)
    checked = []
    for index, raw in enumerate(records):
        local_id, item, errors = _check_record(raw)
        action = raw.get("action") if isinstance(raw, dict) and raw.get("action") in ACTIONS else None
        if errors:
            results[index] = {"local_id": local_id, "action": action, "status": "failed", "reason": "invalid",
                              "error": REFUSALS["invalid"], "errors": errors, "attendance_id": None}
        else:
            checked.append((item["timestamp"], index, local_id, item))
    # Oldest first, as the shared batch does: a day's check-in before its check-out.
    for _stamp, index, local_id, item in sorted(checked, key=lambda entry: (entry[0], entry[1])):
        outcome = offline.process_item(g.user, item, now=now)
        results[index] = _result(local_id, item["type"], outcome)
    counts = {status: sum(1 for r in results if r["status"] == status) for status in ("synced", "duplicate", "failed")}
    message = "Offline attendance synced" if not counts["failed"] else "Offline attendance synced with errors"
    return envelope.ok({"synced_count": counts["synced"], "duplicate_count": counts["duplicate"],
                        "failed_count": counts["failed"], "results": results}, message)


# --- status -------------------------------------------------------------------------------------


def _cache_status(raw: str | None, now: datetime) -> str:
    """``missing`` (no ``cache_timestamp``), ``expired`` (older than 8 h), ``stale`` (a work location
    or schedule changed since), ``valid``.  :raises ValidationFailed: a malformed time."""
    if raw in (None, ""):
        return "missing"
    moment = _parse_instant(raw)
    if moment is None:
        raise ValidationFailed({"cache_timestamp": ["The cache timestamp must be an ISO 8601 time with a "
                                                    "time zone."]})
    if moment > now + offline.CLOCK_SKEW or now - moment > CACHE_LIFETIME:
        return "expired"
    latest = offline.reference_changed_at()
    return "stale" if latest is not None and latest > moment else "valid"


@bp.get("/offline/status")
@token_required()
def offline_status():
    """``GET /api/v2/offline/status?cache_timestamp=<the package's cache_timestamp>``.

    ``data {offline_enabled: true, cache_status (valid|stale|expired|missing),
    pending_sync_count (the person's offline records received but not recorded: pending or
    failed), pending_review_count (recorded offline, awaiting a reviewer), last_sync (the
    last record recorded, UTC, or null), max_records_per_sync, max_record_age_days}``.
    422 ``errors.cache_timestamp`` for a malformed time.
    """
    now = clock.now()
    cache_status = _cache_status(request.args.get("cache_timestamp"), now)
    status = offline.sync_status(g.user.id)
    return envelope.ok({"offline_enabled": True, "cache_status": cache_status, "pending_sync_count": status.pending,
                        "pending_review_count": status.pending_review, "last_sync": clock.iso_utc(status.last_sync),
                        "max_records_per_sync": MAX_RECORDS, "max_record_age_days": offline.MAX_AGE.days},
                       "Offline status")
