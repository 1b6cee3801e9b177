"""Offline sync: attendance a phone recorded without a connection and sends later.

Contract 002, section 10: each item is processed on its own.

- Every item is processed on its own, inside its own savepoint: a refused item
  is reported (and logged as ``failed``) without touching the others.
- ``dedupe_key = "<user_id>:<type>:<timestamp>"`` (unique on
  :class:`~.models.OfflineSyncLog`): an item whose key already has a
  ``success`` log is a replay and is reported as processed with the event
  already recorded — nothing new is written.  A key whose log ``failed`` is
  processed again and that same log row is updated (no second log).
  The event's ``client_ref = "offline:<type>:<timestamp>"`` (unique per user)
  is the second lock, also against two batches racing.
- The server's clock decides when something happened: ``occurred_at`` is the
  server's time of the sync.  The phone's claim is kept as ``client_time``
  (UTC) and used for the day's ``time_in``/``time_out`` because that is what
  the person claims; every offline event waits for a reviewer
  (``review_state="pending"``, ``flag_reason="offline"``) because a phone's
  clock is not trusted.
- Work day: the window of the person's own schedule (of that date or the day
  before, :func:`app.attendance.services.open_windows`) that contains the phone's
  local time (so a night shift's 02:00
  check-out belongs to the previous day); outside every window (or without a
  schedule) the phone's local calendar date.  Limitation: a night-shift item
  outside the windows is filed on its calendar date.
- Once per work day still holds: a second check-in (or check-out) for the day
  fails, a check-out needs the day's check-in.
- Failures are stored with their message and the item's data, so they can be
  retried (:func:`retry_log`).  Items whose user, type or timestamp cannot be
  read, or that name someone the caller may not act for, get a key derived from
  the caller and the item's content (``raw:<caller>:<sha256>``), so a replay
  of the same bad item updates the same failed log.

Messages are Indonesian: the log and its ``error_message`` belong to contract 002.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from ..accounts.roles import STUDENT_ROLES
from ..common import clock
from ..common.errors import DomainError, NotFound, ValidationFailed
from ..extensions import db
from ..places.models import Office
from ..places.services import parse_accuracy, parse_coordinate
from ..schedules import services as schedules
from ..schedules.models import WorkSchedule
from . import overtime, plausibility
from .days import day_of
from .models import AttendanceEvent, DailyAttendance, OfflineSyncLog
from .services import (AlreadyCheckedIn, AlreadyCheckedOut, _claim_slot, _refresh_totals, open_windows,
                       schedule_days, schedule_of_day)

#: Contract ``type`` → event kind.
KINDS = {"checkin": "check_in", "checkout": "check_out"}
#: How far a phone's clock may run ahead of the server's.
CLOCK_SKEW = timedelta(minutes=5)
#: Oldest item accepted.
MAX_AGE = timedelta(days=30)
#: Most items in one batch.
MAX_BATCH = 200
#: The item fields kept in the log (``data``).
ITEM_FIELDS = ("user_id", "type", "timestamp", "latitude", "longitude", "accuracy", "photo_path")
#: Roles whose attendance is recorded as events (students use their class attendance).
#: Roles that may send items of other people.
ACTS_FOR_OTHERS = ("admin",)
#: ``ItemOutcome.reason`` of a refused item: ``invalid`` (a field), ``forbidden_user``, ``unknown_user``,
#: ``future`` (beyond :data:`CLOCK_SKEW`), ``too_old`` (beyond :data:`MAX_AGE`), ``already_checked_in``,
#: ``already_checked_out``, ``not_checked_in``, ``check_out_before_check_in``, ``busy`` (a racing request),
#: ``not_failed`` (retrying a log that did not fail), ``refused`` (anything else).
REASONS = ("invalid", "forbidden_user", "unknown_user", "future", "too_old", "already_checked_in",
           "already_checked_out", "not_checked_in", "check_out_before_check_in", "busy", "not_failed", "refused")

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_PHOTO_PATH = re.compile(r"[A-Za-z0-9_./-]{1,255}")


class OfflineItemRefused(DomainError):
    """The offline item was refused."""

    code = "offline_item_refused"


@dataclass(frozen=True)
class _Item:
    user: object
    kind: str
    type: str
    timestamp: str
    client_time: datetime  # UTC
    latitude: float | None
    longitude: float | None
    accuracy: float | None
    photo_path: str | None

    @property
    def dedupe_key(self) -> str:
        """``<user id>:<type>:<timestamp>``: the same item sent twice has the same key (the log's unique key)."""
        return f"{self.user.id}:{self.type}:{self.timestamp}"

    @property
    def client_ref(self) -> str:
        """``offline:<type>:<timestamp>``: the event's client reference, so a replay finds the event it made."""
        return f"offline:{self.type}:{self.timestamp}"


@dataclass
class ItemOutcome:
    """What happened to one item: its ``log``, the ``event`` (success) or ``error``.

    ``reason`` names a refusal for dialects that word it themselves (see :data:`REASONS`).
    """

    data: dict
    log: OfflineSyncLog | None = None
    event: AttendanceEvent | None = None
    daily: DailyAttendance | None = None
    error: str | None = None
    replayed: bool = False
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True when the item was recorded (or replayed), False when refused (``error`` says why)."""
        return self.error is None


@dataclass
class BatchResult:
    """The outcome of one batch: the items ``processed`` (recorded or replayed) and those ``failed``, in the order
    processed (by timestamp)."""

    processed: list[ItemOutcome] = field(default_factory=list)
    failed: list[ItemOutcome] = field(default_factory=list)


def clean_data(item) -> dict:
    """The item as kept in the log: the known fields only, scalar values, text capped at 255."""
    if not isinstance(item, dict):
        return {}
    data = {}
    for name in ITEM_FIELDS:
        if name in item:
            value = item[name]
            if isinstance(value, str):
                value = value[:255]
            elif value is not None and not isinstance(value, (int, float, bool)):
                value = str(value)[:255]
            elif isinstance(value, float) and not math.isfinite(value):
                value = str(value)
            data[name] = value
    return data


def _raw_key(acting_user, data: dict) -> str:
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return f"raw:{acting_user.id}:{digest[:64]}"


def _refuse(message: str, reason: str = "refused") -> OfflineItemRefused:
    """An :class:`OfflineItemRefused` with a machine ``reason`` (``details["reason"]``, see :data:`REASONS`)."""
    return OfflineItemRefused(message, reason=reason)


def _number(value, name: str, errors: dict, *, limit: float | None = None, low: float = 0):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if limit is not None:
        try:
            return parse_coordinate(value, field=name, limit=limit)
        except ValidationFailed as exc:
            errors.update(exc.errors)
            return None
    try:
        return parse_accuracy(value, field=name)
    except ValidationFailed as exc:
        errors.update(exc.errors)
        return None


def _identify(acting_user, data: dict):
    """``(user, type, timestamp, local time)`` of the item, or raise with the raw key to log under."""
    from ..accounts.models import User

    errors: dict[str, list[str]] = {}
    raw_user = data.get("user_id")
    target = acting_user
    if raw_user not in (None, ""):
        user_id = raw_user if isinstance(raw_user, int) and not isinstance(raw_user, bool) else (
            int(raw_user) if isinstance(raw_user, str) and re.fullmatch(r"\d{1,12}", raw_user) else None)
        if user_id is None:
            errors["user_id"] = ["The user id must be an integer."]
        elif user_id != acting_user.id:
            if acting_user.role not in ACTS_FOR_OTHERS:
                raise _refuse("Tidak diizinkan mengirim absensi pengguna lain", "forbidden_user")
            target = db.session.get(User, user_id)
            if target is None or not target.is_active or target.role in STUDENT_ROLES:
                raise _refuse("User tidak ditemukan", "unknown_user")
    type_ = data.get("type")
    if type_ not in KINDS:
        errors["type"] = ["The selected type is invalid (checkin or checkout)."]
    stamp = data.get("timestamp")
    local = None
    if not isinstance(stamp, str) or not _TIMESTAMP.fullmatch(stamp):
        errors["timestamp"] = ["The timestamp does not match the format Y-m-d H:i:s."]
    else:
        try:
            local = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=clock.local_zone())
        except ValueError:
            errors["timestamp"] = ["The timestamp is not a valid date."]
    if errors:
        raise ValidationFailed(errors)
    return target, type_, stamp, local


def _parse(acting_user, data: dict, now: datetime) -> _Item:
    """Validate one item.  :raises DomainError: refused (message for the log)."""
    target, type_, stamp, local = _identify(acting_user, data)
    errors: dict[str, list[str]] = {}
    client_time = local.astimezone(now.tzinfo)
    latitude = _number(data.get("latitude"), "latitude", errors, limit=90)
    longitude = _number(data.get("longitude"), "longitude", errors, limit=180)
    if (latitude is None) != (longitude is None) and not errors:
        errors["latitude" if latitude is None else "longitude"] = [
            "Latitude and longitude must be given together."]
    accuracy = _number(data.get("accuracy"), "accuracy", errors)
    photo = data.get("photo_path")
    if photo in (None, ""):
        photo = None
    elif not isinstance(photo, str) or not _PHOTO_PATH.fullmatch(photo) or photo.startswith("/") \
            or ".." in photo.split("/"):
        errors["photo_path"] = ["The photo path must be a relative path."]
    if errors:
        raise ValidationFailed(errors)
    return _Item(target, KINDS[type_], type_, stamp, client_time, latitude, longitude, accuracy, photo)


def _check_age(item: _Item, now: datetime) -> None:
    if item.client_time > now + CLOCK_SKEW:
        raise _refuse("Waktu absensi berada di masa depan", "future")
    if item.client_time < now - MAX_AGE:
        raise _refuse(f"Waktu absensi lebih dari {MAX_AGE.days} hari yang lalu", "too_old")


def _work_day(item: _Item):
    """``(the person's day, work_date, in a window?, local time)`` of the item (see the module's notes)."""
    local = clock.to_local(item.client_time)
    days = schedule_days(item.user, local)
    found = open_windows(days, item.kind, local)
    if found:
        window, day = found[0]
        return day, window.work_date, True, local
    return days[0], local.date(), False, local


def _record(item: _Item, now: datetime) -> tuple[AttendanceEvent, DailyAttendance]:
    """Write the event and update its day (caller's savepoint).  :raises OfflineItemRefused:"""
    day, work_date, in_window, local = _work_day(item)
    schedule = day.schedule
    findings, distance = [plausibility.Finding("offline")], None
    if item.latitude is not None and item.longitude is not None:
        verdict = plausibility.judge_position(item.user, latitude=item.latitude, longitude=item.longitude,
                                              accuracy_m=item.accuracy, office=item.user.office,
                                              at=item.client_time, judge_office=False)
        distance, findings = verdict.distance_m, findings + verdict.findings
    event = AttendanceEvent(
        user_id=item.user.id, kind=item.kind, occurred_at=now, work_date=work_date, source="offline",
        latitude=item.latitude, longitude=item.longitude, accuracy_m=item.accuracy,
        office_id=item.user.office_id, distance_m=distance, client_ref=item.client_ref,
        client_time=item.client_time, photo_path=item.photo_path, review_state="pending", flag_reason="offline",
        flag_details=plausibility.details_json(findings),
    )
    daily = day_of(item.user.id, work_date)
    if item.kind == "check_in":
        if daily is not None and daily.check_in_event_id is not None:
            raise _refuse("Sudah absen masuk pada tanggal itu", "already_checked_in")
        late = schedules.late_minutes(schedule, work_date, local) if (schedule and in_window and not day.day_off) else 0
        if daily is None:
            daily = DailyAttendance(user_id=item.user.id, work_date=work_date,
                                    schedule_id=schedule.id if schedule else None, check_in_event=event,
                                    time_in=item.client_time, late_minutes=late, status="pending_review",
                                    off_reason=day.off_reason if in_window else None)
            _refresh_totals(daily)
            try:
                with db.session.begin_nested():
                    db.session.add(event)
                    db.session.add(daily)
                    db.session.flush()
            except IntegrityError:
                raise _refuse("Sudah absen masuk pada tanggal itu", "already_checked_in") from None
            return event, daily
        try:
            _claim_slot(daily, event, "check_in_event_id", AlreadyCheckedIn)
        except AlreadyCheckedIn:
            raise _refuse("Sudah absen masuk pada tanggal itu", "already_checked_in") from None
        daily.check_in_event_id = event.id
        daily.check_in_event = event
        daily.schedule_id = schedule.id if schedule else daily.schedule_id
        daily.off_reason = day.off_reason if in_window else None
        daily.time_in = item.client_time
        daily.late_minutes = late
        daily.status = "pending_review"
    else:
        if daily is None or daily.check_in_event_id is None:
            raise _refuse("Belum absen masuk pada tanggal itu", "not_checked_in")
        if daily.check_out_event_id is not None:
            raise _refuse("Sudah absen keluar pada tanggal itu", "already_checked_out")
        if daily.time_in is not None and item.client_time < daily.time_in:
            raise _refuse("Waktu absen keluar lebih awal dari absen masuk", "check_out_before_check_in")
        try:
            _claim_slot(daily, event, "check_out_event_id", AlreadyCheckedOut)
        except AlreadyCheckedOut:
            raise _refuse("Sudah absen keluar pada tanggal itu", "already_checked_out") from None
        daily.check_out_event_id = event.id
        daily.check_out_event = event
        daily.time_out = item.client_time
        judged_by = schedule_of_day(daily, day)
        daily.early_leave_minutes = 0 if (judged_by is None or daily.off_reason) \
            else schedules.early_leave_minutes(judged_by, work_date, local)
        _refresh_totals(daily)
        db.session.flush()
        overtime.evaluate_day(daily, judged_by, holiday=day.holiday is not None)
        return event, daily
    _refresh_totals(daily)
    db.session.flush()
    return event, daily


def _reason(exc: DomainError) -> str:
    return "invalid" if isinstance(exc, ValidationFailed) else exc.details.get("reason", "refused")


def _message(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed):
        return "; ".join(m for messages in exc.errors.values() for m in messages)
    return exc.message


def _find_log(key: str) -> OfflineSyncLog | None:
    return db.session.scalar(db.select(OfflineSyncLog).filter_by(dedupe_key=key))


def _save_log(log: OfflineSyncLog | None, *, key: str, user_id: int, data: dict, now: datetime,
              event: AttendanceEvent | None, error: str | None) -> OfflineSyncLog | None:
    """Create or update the log of one item (in a savepoint); None if a racing request owns the key."""
    try:
        with db.session.begin_nested():
            if log is None:
                log = OfflineSyncLog(user_id=user_id, action_type="attendance", dedupe_key=key)
                db.session.add(log)
            log.data = data
            log.status = "failed" if error else "success"
            log.error_message = error
            log.event_id = event.id if event is not None else None
            log.synced_at = now if error is None else None
            db.session.flush()
    except IntegrityError:
        return None
    return log


def process_item(acting_user, raw, *, now: datetime | None = None,
                 log: OfflineSyncLog | None = None) -> ItemOutcome:
    """Process one item on its own; never raises for a refused item (see :class:`ItemOutcome`).

    :param log: the failed log being retried (updated in place when the item's key is its key).
    """
    now = now or clock.now()
    data = clean_data(raw)
    outcome = ItemOutcome(data=data)
    try:
        item = _parse(acting_user, data, now)
    except DomainError as exc:
        key = log.dedupe_key if log is not None else _raw_key(acting_user, data)
        existing = log if log is not None else _find_log(key)
        outcome.error, outcome.reason = _message(exc), _reason(exc)
        outcome.log = _save_log(existing, key=key, user_id=existing.user_id if existing else acting_user.id,
                                data=data, now=now, event=None, error=outcome.error)
        return outcome

    key = item.dedupe_key
    existing = _find_log(key)
    if existing is not None and existing.status == "success" and existing.event is not None:
        outcome.log, outcome.event, outcome.replayed = existing, existing.event, True
        outcome.daily = day_of(existing.event.user_id, existing.event.work_date)
        if log is not None and log.id != existing.id:
            outcome.log = _save_log(log, key=log.dedupe_key, user_id=log.user_id, data=data, now=now,
                                    event=existing.event, error=None) or existing
        return outcome
    if existing is None and log is not None and log.dedupe_key == key:
        existing = log
    target_log = log if (log is not None and existing is None) else existing
    target_key = target_log.dedupe_key if target_log is not None else key
    try:
        with db.session.begin_nested():
            _check_age(item, now)
            # The same event recorded before (its log lost or held by a racing request): a replay.
            event = db.session.scalar(db.select(AttendanceEvent).filter_by(user_id=item.user.id,
                                                                           client_ref=item.client_ref))
            if event is not None:
                outcome.replayed = True
                daily = day_of(event.user_id, event.work_date)
            else:
                event, daily = _record(item, now)
    except IntegrityError:
        outcome.error, outcome.reason = "Absensi dengan timestamp yang sama sedang diproses, coba lagi", "busy"
    except DomainError as exc:
        outcome.error, outcome.reason = _message(exc), _reason(exc)
    if outcome.error is not None:
        # A racing request may have recorded this very item meanwhile (its unique
        # client_ref refused ours): then this is a replay, not a failure.
        raced = db.session.scalar(db.select(AttendanceEvent).filter_by(user_id=item.user.id,
                                                                       client_ref=item.client_ref))
        if raced is not None:
            daily = day_of(raced.user_id, raced.work_date)
            outcome.error, outcome.reason, outcome.replayed, event = None, None, True, raced
    if outcome.error is None:
        saved = _save_log(target_log, key=target_key, user_id=item.user.id, data=data, now=now,
                          event=event, error=None)
        if saved is None:  # a racing batch logged the same key first: it recorded the same item
            db.session.expire_all()
            other = _find_log(key)
            if other is not None and other.status == "success" and other.event is not None:
                outcome.log, outcome.event, outcome.replayed = other, other.event, True
                outcome.daily = day_of(other.event.user_id, other.event.work_date)
                return outcome
            outcome.error, outcome.reason = "Absensi dengan timestamp yang sama sedang diproses, coba lagi", "busy"
            return outcome
        outcome.log, outcome.event, outcome.daily = saved, event, daily
        return outcome
    outcome.log = _save_log(target_log, key=target_key, user_id=item.user.id, data=data, now=now,
                            event=None, error=outcome.error)
    return outcome


def process_offline_batch(acting_user, items: list, *, now: datetime | None = None) -> BatchResult:
    """Process every item on its own (oldest phone time first); see the module's notes.

    :raises ValidationFailed: ``items`` is not a list of 1..:data:`MAX_BATCH` entries.
    """
    if not isinstance(items, list) or not items:
        raise ValidationFailed({"attendances": ["The attendances field is required."]})
    if len(items) > MAX_BATCH:
        raise ValidationFailed({"attendances": [f"The attendances may not have more than {MAX_BATCH} items."]})
    now = now or clock.now()

    def order(pair):
        """Sort key of an ``(index, item)`` pair: the item's ``timestamp`` text (oldest first; none sorts first), then
        its place in the batch."""
        stamp = pair[1].get("timestamp") if isinstance(pair[1], dict) else None
        return (stamp if isinstance(stamp, str) else "", pair[0])

    result = BatchResult()
    for _index, raw in sorted(enumerate(items), key=order):
        outcome = process_item(acting_user, raw, now=now)
        (result.processed if outcome.ok else result.failed).append(outcome)
    return result


def visible_log(log_id: int, viewer, *, sees_all: bool = False) -> OfflineSyncLog:
    """The offline sync log ``log_id`` when ``viewer`` may see it: their own, or anyone's with
    ``sees_all`` (the caller's role rule, e.g. the school's admins and principal).

    :raises NotFound: no such log, or another person's without ``sees_all`` (the same answer).
    """
    log = db.session.get(OfflineSyncLog, log_id)
    if log is None or (not sees_all and log.user_id != viewer.id):
        raise NotFound("Offline sync log not found", field="log_id")
    return log


def logs_query(*, user_id: int | None = None, status: str | None = None, action_type: str | None = None):
    """Select statement of offline sync logs, newest first (then the newest row), of the person
    ``user_id``, with ``status`` and ``action_type`` when given."""
    stmt = db.select(OfflineSyncLog)
    chosen = ((OfflineSyncLog.user_id, user_id), (OfflineSyncLog.status, status),
              (OfflineSyncLog.action_type, action_type))
    stmt = stmt.where(*(column == value for column, value in chosen if value is not None))
    return stmt.order_by(OfflineSyncLog.created_at.desc(), OfflineSyncLog.id.desc())


@dataclass(frozen=True)
class SyncStatus:
    """One person's offline records: ``pending`` (received, not recorded yet: pending or failed
    logs), ``pending_review`` (recorded offline, waiting for a reviewer) and ``last_sync`` (when
    the last one was recorded, UTC; None before any)."""

    pending: int
    pending_review: int
    last_sync: datetime | None


def sync_status(user_id: int) -> SyncStatus:
    """The :class:`SyncStatus` of the person ``user_id`` (three statements)."""
    mine = OfflineSyncLog.user_id == user_id
    pending = db.session.scalar(db.select(db.func.count(OfflineSyncLog.id)).where(
        mine, OfflineSyncLog.status.in_(("pending", "failed"))))
    last_sync = db.session.scalar(db.select(db.func.max(OfflineSyncLog.synced_at)).where(
        mine, OfflineSyncLog.status == "success"))
    review = db.session.scalar(db.select(db.func.count(AttendanceEvent.id)).where(
        AttendanceEvent.user_id == user_id, AttendanceEvent.source == "offline",
        AttendanceEvent.review_state == "pending"))
    return SyncStatus(pending=pending, pending_review=review, last_sync=last_sync)


def reference_changed_at() -> datetime | None:
    """When an office or a work schedule last changed (UTC; None when there are none): an offline
    data package older than this is stale (two statements)."""
    changed = db.session.scalar(db.select(db.func.max(Office.updated_at)))
    schedule_changed = db.session.scalar(db.select(db.func.max(WorkSchedule.updated_at)))
    return max((m for m in (changed, schedule_changed) if m is not None), default=None)


def retry_log(acting_user, log: OfflineSyncLog, *, now: datetime | None = None) -> ItemOutcome:
    """Process a failed log's item again, as ``acting_user``.

    :raises OfflineItemRefused: the log did not fail, or the item is still refused
        (the caller rolls back: the log stays as it was).
    """
    if log.status != "failed":
        raise _refuse("Hanya log yang gagal yang dapat diulang", "not_failed")
    data = dict(log.data or {})
    if data.get("user_id") in (None, ""):
        data["user_id"] = log.user_id  # the item is the log owner's, whoever retries it
    outcome = process_item(acting_user, data, now=now, log=log)
    if not outcome.ok:
        raise _refuse(outcome.error)
    return outcome
