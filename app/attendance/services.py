"""Check-in and check-out, review of flagged events, daily summaries.

Rules (contract 001, "Absensi"; issue 2, section 3):
- only inside the active work schedule's window, judged by the server's clock;
- once per work day: the unique (user, work day) row of
  :class:`~.models.DailyAttendance` refuses a second check-in even when two
  requests race;
- the position is judged by :func:`app.attendance.plausibility.judge_position`:
  outside the office geofence, a fix less precise than the radius, no office,
  an implausible accuracy (0 m), impossible travel since the previous event, or
  an office the person is not assigned to — the event is recorded and flagged
  for review with every reason (``flag_details``), never accepted silently,
  never dropped (an unassigned office is refused instead when the setting says so);
- a repeated ``client_ref`` returns the event already recorded (idempotent retry);
  reusing it for the other kind (check-in key on a check-out) is refused.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from ..common.i18n import N_
from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from ..common import clock
from ..common.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from ..extensions import db
from ..places.models import Office
from ..schedules import services as schedules
from . import plausibility
from .models import AttendanceEvent, DailyAttendance
from .plausibility import NotAssignedOffice  # noqa: F401  (refusal of record_attendance, for the dialects)


class NoActiveSchedule(RuleViolation):
    """No work schedule is active, so no window is open."""

    code = "no_active_schedule"


class OutsideWindow(RuleViolation):
    """The check-in or check-out window is not open now."""

    code = "outside_window"


class AlreadyCheckedIn(Conflict):
    """You have already checked in today."""

    code = "already_checked_in"


class AlreadyCheckedOut(Conflict):
    """You have already checked out today."""

    code = "already_checked_out"


class NotCheckedIn(RuleViolation):
    """You have not checked in today."""

    code = "not_checked_in"


@dataclass(frozen=True)
class RecordResult:
    """What :func:`record_attendance` did: the event, the day, and whether it replayed."""

    event: AttendanceEvent
    daily: DailyAttendance
    replayed: bool = False

    @property
    def pending_review(self) -> bool:
        return self.event.review_state == "pending"


def _window_error(schedule, kind: str, local_now: datetime) -> OutsideWindow:
    """The refusal for a moment outside every window: "not available yet" or "has closed".

    A check-in is judged against today's window; a check-out against the shift
    whose check-in opened last, so a night shift's check-out after 06:00 (the
    "Shift Malam" of contract 001) has closed rather than being "not yet" open.
    """
    day = local_now.date()
    if kind == "check_in":
        window = schedules.check_in_window(schedule, day, local_now.tzinfo)
    else:
        if local_now < datetime.combine(day, schedule.check_in_start, tzinfo=local_now.tzinfo):
            day -= timedelta(days=1)
        window = schedules.check_out_window(schedule, day, local_now.tzinfo)
    noun = "Check-in" if kind == "check_in" else "Check-out"
    if local_now < window.start:
        return OutsideWindow(f"{noun} not available yet", opens_at=window.start)
    return OutsideWindow(f"{noun} window has closed", closed_at=window.end)


def _status(daily: DailyAttendance) -> str:
    event = daily.check_in_event
    if event is not None and event.review_state == "pending":
        return "pending_review"
    return "late" if daily.late_minutes > 0 else "present"


def _refresh_totals(daily: DailyAttendance) -> None:
    if daily.time_in and daily.time_out:
        daily.worked_minutes = max(0, int((daily.time_out - daily.time_in).total_seconds() // 60))
    else:
        daily.worked_minutes = None


def record_attendance(
    user,
    kind: str,
    *,
    source: str,
    latitude: float | None = None,
    longitude: float | None = None,
    accuracy_m: float | None = None,
    office: Office | None = None,
    device_id: str | None = None,
    client_ref: str | None = None,
    client_time: datetime | None = None,
    now: datetime | None = None,
) -> RecordResult:
    """Record a check-in or check-out for ``user`` now (server clock, UTC).

    :param kind: ``check_in`` or ``check_out``.
    :param latitude, longitude: WGS84 degrees, already validated; None when the
        source has no position (face, QR at a kiosk).
    :param accuracy_m: reported GPS accuracy in metres, if any.
    :param office: the office to check against; defaults to ``user.office``.  An office
        named by the client that is not the person's own is flagged ``wrong_office``.
    :raises NoActiveSchedule, OutsideWindow: (rule violations, contract rcode 83)
    :raises NotAssignedOffice: ``office`` is not the person's and the setting
        ``wrong_office_policy`` is ``refuse``.
    :raises AlreadyCheckedIn, AlreadyCheckedOut: (conflicts, rcode 82)
    :raises NotCheckedIn: check-out without a check-in that day.
    :raises ValidationFailed: ``client_ref`` already used for the other ``kind``.
    """
    if kind not in ("check_in", "check_out"):
        raise ValidationFailed({"kind": ["Unknown attendance kind."]})
    if client_ref:
        existing = db.session.scalar(db.select(AttendanceEvent).filter_by(user_id=user.id, client_ref=client_ref))
        if existing is not None:
            if existing.kind != kind:
                raise ValidationFailed({"client_ref": [
                    "This idempotency key was already used for another request."]})
            daily = db.session.scalar(db.select(DailyAttendance).filter_by(user_id=user.id, work_date=existing.work_date))
            return RecordResult(existing, daily, replayed=True)

    now = now or clock.now()
    local_now = clock.to_local(now)
    schedule = schedules.active_schedule()
    if schedule is None:
        raise NoActiveSchedule("No active attendance time setting")
    window = schedules.window_at(schedule, kind, local_now)
    if window is None:
        raise _window_error(schedule, kind, local_now)

    office = office or user.office
    distance, findings = None, []
    if latitude is not None and longitude is not None:
        verdict = plausibility.judge_position(user, latitude=latitude, longitude=longitude, accuracy_m=accuracy_m,
                                              office=office, at=now)
        distance, findings = verdict.distance_m, verdict.findings
    elif source == "mobile_gps":
        raise ValidationFailed({"latitude": ["Latitude is required for location verification"]})

    event = AttendanceEvent(
        user_id=user.id, kind=kind, occurred_at=now, work_date=window.work_date, source=source,
        latitude=latitude, longitude=longitude, accuracy_m=accuracy_m,
        office_id=office.id if office else None, distance_m=distance, device_id=device_id,
        client_ref=client_ref, client_time=client_time,
        review_state="pending" if findings else "not_required", flag_reason=plausibility.main_reason(findings),
        flag_details=plausibility.details_json(findings),
    )
    if kind == "check_in":
        daily = _claim_check_in(user, schedule, window.work_date, event, local_now)
    else:
        daily = _claim_check_out(user, window.work_date, event)
    return RecordResult(event, daily)


@cache
def _day_query():
    """One person's day, built once (every check-in runs it); its ``user`` is loaded when used."""
    return (db.select(DailyAttendance)
            .where(DailyAttendance.user_id == bindparam("user_id"), DailyAttendance.work_date == bindparam("work_date"))
            .options(lazyload(DailyAttendance.user)))


def _claim_slot(daily: DailyAttendance, event: AttendanceEvent, column: str, conflict: type[Conflict]) -> None:
    """Insert ``event`` and point ``daily.<column>`` at it, unless another request got there first.

    The conditional UPDATE (``WHERE <column> IS NULL``) is the lock: of two racing
    requests one updates a row, the other none and gets ``conflict`` — its
    savepoint takes its event back, so nothing of it is recorded.
    """
    try:
        with db.session.begin_nested():
            db.session.add(event)
            db.session.flush()
            claimed = db.session.execute(
                update(DailyAttendance)
                .where(DailyAttendance.id == daily.id, getattr(DailyAttendance, column).is_(None))
                .values({column: event.id})
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                raise conflict()
    except IntegrityError:
        raise conflict() from None


def _claim_check_in(user, schedule, work_date: date, event: AttendanceEvent, local_now: datetime) -> DailyAttendance:
    daily = db.session.scalar(_day_query(), {"user_id": user.id, "work_date": work_date})
    if daily is not None and daily.check_in_event_id is not None:
        raise AlreadyCheckedIn()
    if daily is None:
        # The usual case, the day's first event: the event and its day, complete, in
        # one flush.  The unique (user, day) row is the lock: a concurrent check-in
        # fails on it, and its savepoint takes its event back.
        daily = DailyAttendance(user_id=user.id, work_date=work_date, schedule_id=schedule.id,
                                check_in_event=event, time_in=event.occurred_at,
                                late_minutes=schedules.late_minutes(schedule, work_date, local_now))
        daily.status = _status(daily)
        _refresh_totals(daily)
        try:
            with db.session.begin_nested():
                db.session.add(event)
                db.session.add(daily)
                db.session.flush()
        except IntegrityError:
            raise AlreadyCheckedIn() from None
        return daily
    # The day exists without a check-in (its check-in was rejected): claim it.
    _claim_slot(daily, event, "check_in_event_id", AlreadyCheckedIn)
    daily.check_in_event_id = event.id
    daily.check_in_event = event
    daily.schedule_id = schedule.id
    daily.time_in = event.occurred_at
    daily.late_minutes = schedules.late_minutes(schedule, work_date, local_now)
    daily.status = _status(daily)
    _refresh_totals(daily)
    db.session.flush()
    return daily


def _claim_check_out(user, work_date: date, event: AttendanceEvent) -> DailyAttendance:
    daily = db.session.scalar(db.select(DailyAttendance).filter_by(user_id=user.id, work_date=work_date))
    if daily is None or daily.check_in_event_id is None:
        raise NotCheckedIn()
    if daily.check_out_event_id is not None:
        raise AlreadyCheckedOut()
    _claim_slot(daily, event, "check_out_event_id", AlreadyCheckedOut)
    daily.check_out_event_id = event.id
    daily.check_out_event = event
    daily.time_out = event.occurred_at
    _refresh_totals(daily)
    db.session.flush()
    return daily


def month_history(user, year: int, month: int) -> list[DailyAttendance]:
    """The user's daily attendance of one month, newest day first."""
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return list(db.session.scalars(
        db.select(DailyAttendance)
        .where(DailyAttendance.user_id == user.id, DailyAttendance.work_date >= start, DailyAttendance.work_date < end)
        .order_by(DailyAttendance.work_date.desc())
    ))


# --- review ---------------------------------------------------------------

def pending_events_query():
    """Select statement of events waiting for review, oldest first."""
    return (db.select(AttendanceEvent)
            .where(AttendanceEvent.review_state == "pending")
            .order_by(AttendanceEvent.occurred_at))


def get_event(event_id: int) -> AttendanceEvent:
    """:raises NotFound: no event with this id."""
    event = db.session.get(AttendanceEvent, event_id)
    if event is None:
        raise NotFound("Attendance event not found")
    return event


def review_event(event: AttendanceEvent, reviewer, *, approve: bool, note: str | None = None) -> AttendanceEvent:
    """Approve or reject a flagged event and bring its day up to date.

    Rejecting a check-in clears the day's check-in (the person may check in
    again); rejecting a check-out clears the check-out.  The event itself
    stays, with the reviewer, the time and the note.  The person is notified.

    :raises RuleViolation: the event is not pending.
    :raises ValidationFailed: a rejection without a note (``note`` is required).
    """
    from ..notify.services import notify

    if event.review_state != "pending":
        raise RuleViolation("This attendance event has already been reviewed")
    note = (note or "").strip() or None
    if not approve and not note:
        raise ValidationFailed({"note": ["A reason is required to reject."]})
    event.review_state = "approved" if approve else "rejected"
    event.reviewed_by_id = reviewer.id
    event.reviewed_at = clock.now()
    event.review_note = note
    daily = db.session.scalar(db.select(DailyAttendance).filter_by(user_id=event.user_id, work_date=event.work_date))
    if daily is not None:
        if not approve and daily.check_in_event_id == event.id:
            daily.check_in_event_id = None
            daily.check_in_event = None
            daily.time_in = None
            daily.late_minutes = 0
            daily.status = "rejected"
        elif not approve and daily.check_out_event_id == event.id:
            daily.check_out_event_id = None
            daily.check_out_event = None
            daily.time_out = None
        elif daily.check_in_event_id is not None:
            daily.status = _status(daily)
        _refresh_totals(daily)
    local = clock.to_local(event.occurred_at).strftime("%d-%m-%Y %H:%M")
    if event.kind == "check_in":
        title = N_("Your check-in was approved") if approve else N_("Your check-in was rejected")
        body = N_("Your check-in of %(time)s was approved.") if approve else \
            N_("Your check-in of %(time)s was rejected: %(note)s")
    else:
        title = N_("Your check-out was approved") if approve else N_("Your check-out was rejected")
        body = N_("Your check-out of %(time)s was approved.") if approve else \
            N_("Your check-out of %(time)s was rejected: %(note)s")
    notify(event.user, "attendance_review", title, body, time=local, note=note or "")
    db.session.flush()
    return event


# --- review by attendance day (the clinic app's "attendance" is the day's record) ----

def day_events(daily: DailyAttendance) -> list[AttendanceEvent]:
    """Every event of ``daily``'s person and work day, in the order they happened.

    Also the events the day no longer points at (a rejected check-in stays an
    event of that day): events are append-only, the day is derived from them.
    """
    return list(db.session.scalars(
        db.select(AttendanceEvent)
        .where(AttendanceEvent.user_id == daily.user_id, AttendanceEvent.work_date == daily.work_date)
        .order_by(AttendanceEvent.occurred_at, AttendanceEvent.id)))


def _oldest_pending_of_day():
    """Correlated subquery: when the oldest pending event of a :class:`DailyAttendance` row happened
    (NULL when none of its events waits)."""
    return (db.select(db.func.min(AttendanceEvent.occurred_at))
            .where(AttendanceEvent.user_id == DailyAttendance.user_id,
                   AttendanceEvent.work_date == DailyAttendance.work_date,
                   AttendanceEvent.review_state == "pending")
            .correlate(DailyAttendance).scalar_subquery())


def pending_days_query():
    """Select statement of the attendance days with at least one event waiting for review,
    the day whose oldest waiting event happened first coming first."""
    oldest = _oldest_pending_of_day()
    return db.select(DailyAttendance).where(oldest.is_not(None)).order_by(oldest, DailyAttendance.id)


def get_day(day_id: int) -> DailyAttendance:
    """:raises NotFound: no attendance day with this id."""
    daily = db.session.get(DailyAttendance, day_id)
    if daily is None:
        raise NotFound("Attendance record not found")
    return daily


def review_day(daily: DailyAttendance, reviewer, *, approve: bool, note: str | None = None) -> list[AttendanceEvent]:
    """Approve or reject every event of ``daily`` that waits for review (check-in, check-out or both).

    Each goes through :func:`review_event` (the day is brought up to date, the
    person notified).  For an app whose attendance record is the day (the clinic
    app's ``attendance_id``), this is the review of one attendance.

    :returns: the events reviewed, oldest first.
    :raises RuleViolation: nothing of this day waits for review.
    :raises ValidationFailed: a rejection without a note.
    """
    waiting = [e for e in day_events(daily) if e.review_state == "pending"]
    if not waiting:
        raise RuleViolation("This attendance has already been reviewed")
    return [review_event(event, reviewer, approve=approve, note=note) for event in waiting]


def review_days(day_ids, reviewer, *, approve: bool, note: str | None = None) -> list[DailyAttendance]:
    """Review several attendance days with :func:`review_day`, all or nothing.

    :returns: the days, in the order their oldest waiting event happened.
    :raises ValidationFailed: no day chosen (field ``attendance_ids``).
    :raises NotFound: one of the ids does not exist (``details["ids"]``).
    :raises RuleViolation: nothing of one of the days waits for review; the
        caller's rollback undoes the days already reviewed.
    """
    ids = sorted({int(i) for i in day_ids})
    if not ids:
        raise ValidationFailed({"attendance_ids": ["Select at least one attendance."]})
    oldest = _oldest_pending_of_day()
    rows = db.session.execute(db.select(DailyAttendance, oldest).where(DailyAttendance.id.in_(ids))).all()
    missing = sorted(set(ids) - {day.id for day, _ in rows})
    if missing:
        raise NotFound("Attendance record not found", ids=missing)
    far = datetime.max.replace(tzinfo=None)
    ordered = [day for day, first in sorted(rows, key=lambda r: (r[1] is None, r[1] or far, r[0].id))]
    for day in ordered:
        review_day(day, reviewer, approve=approve, note=note)
    return ordered


def today_overview(work_date: date) -> dict[str, int]:
    """Counts for the admin dashboard of ``work_date``.

    Keys: ``present`` (on time), ``late``, ``pending_review`` (days whose
    check-in waits for review), ``not_in`` (active staff with no check-in),
    ``flagged`` (events of any day awaiting review), ``staff`` (active staff).
    """
    from ..accounts.models import User
    from ..accounts.roles import STUDENT_ROLES

    rows = dict(db.session.execute(
        db.select(DailyAttendance.status, db.func.count())
        .where(DailyAttendance.work_date == work_date, DailyAttendance.time_in.is_not(None))
        .group_by(DailyAttendance.status)
    ).all())
    staff = db.session.scalar(
        db.select(db.func.count(User.id)).where(User.is_active.is_(True), User.role.not_in(STUDENT_ROLES))
    )
    checked_in = sum(rows.values())
    flagged = db.session.scalar(db.select(db.func.count(AttendanceEvent.id)).where(AttendanceEvent.review_state == "pending"))
    return {
        "present": rows.get("present", 0),
        "late": rows.get("late", 0),
        "pending_review": rows.get("pending_review", 0),
        "not_in": max(0, staff - checked_in),
        "flagged": flagged,
        "staff": staff,
    }


# --- admin web app (issue 2, section 4) -------------------------------------

def pending_event_count() -> int:
    """How many attendance events wait for review."""
    return db.session.scalar(
        db.select(db.func.count(AttendanceEvent.id)).where(AttendanceEvent.review_state == "pending"))


def recent_check_ins(work_date: date, *, limit: int = 10) -> list[DailyAttendance]:
    """The days of ``work_date`` that have a check-in, latest check-in first."""
    return list(db.session.scalars(
        db.select(DailyAttendance)
        .where(DailyAttendance.work_date == work_date, DailyAttendance.time_in.is_not(None))
        .order_by(DailyAttendance.time_in.desc(), DailyAttendance.id.desc())
        .limit(limit)
    ))


def review_events(event_ids, reviewer, *, approve: bool, note: str | None = None) -> list[AttendanceEvent]:
    """Review several events at once with :func:`review_event`, all or nothing.

    Every event is reviewed in the current transaction; the first refusal
    propagates, and the caller's rollback then undoes the whole batch.

    :raises ValidationFailed: no event chosen (field ``event_ids``).
    :raises NotFound: one of the ids does not exist.
    :raises RuleViolation: one of the events is no longer pending.
    """
    ids = sorted({int(i) for i in event_ids})
    if not ids:
        raise ValidationFailed({"event_ids": ["Select at least one event."]})
    events = {e.id: e for e in db.session.scalars(db.select(AttendanceEvent).where(AttendanceEvent.id.in_(ids)))}
    missing = [i for i in ids if i not in events]
    if missing:
        raise NotFound("Attendance event not found", ids=missing)
    ordered = sorted(events.values(), key=lambda e: (e.occurred_at, e.id))
    return [review_event(event, reviewer, approve=approve, note=note) for event in ordered]


#: What :func:`record_kiosk_visit` did with a person the kiosk recognised.
VISIT_OUTCOMES = ("checked_in", "checked_out", "already_in", "already_out", "outside_window")


@dataclass(frozen=True)
class KioskVisit:
    """The outcome of one recognised visit (one of :data:`VISIT_OUTCOMES`), the event
    recorded now (None when nothing was recorded) and the person's day (None before
    any check-in)."""

    outcome: str
    event: AttendanceEvent | None
    daily: DailyAttendance | None


def _day_of(user, work_date: date) -> DailyAttendance | None:
    return db.session.scalar(db.select(DailyAttendance).filter_by(user_id=user.id, work_date=work_date))


def record_kiosk_visit(user, *, office: Office | None, min_gap_s: int, source: str = "face",
                       now: datetime | None = None) -> KioskVisit:
    """A kiosk recognised ``user`` (by face): check in or out, following their day.

    Rules (issue 4, section 2): in a check-in window, a person without a check-in
    that work day is checked in; with one, nothing is recorded (``already_in``)
    unless a check-out window is open too and at least ``min_gap_s`` seconds
    passed since the check-in.  In a check-out window, a person checked in at
    least ``min_gap_s`` seconds ago is checked out; sooner, or already checked
    out, nothing is recorded.  Outside every window nothing is recorded.  A
    check-out without a check-in that day raises :class:`NotCheckedIn`.

    :param office: the kiosk's office (the event's place; no geofence: the kiosk stands there).
    :param min_gap_s: seconds between check-in and the earliest check-out (a second look
        at the kiosk a few minutes later does not check the person out).
    :raises NoActiveSchedule: no work schedule is active.
    :raises NotCheckedIn: a check-out window, and no check-in that day.
    """
    now = now or clock.now()
    local_now = clock.to_local(now)
    schedule = schedules.active_schedule()
    if schedule is None:
        raise NoActiveSchedule("No active attendance time setting")
    check_in_window = schedules.window_at(schedule, "check_in", local_now)
    check_out_window = schedules.window_at(schedule, "check_out", local_now)
    if check_in_window is None and check_out_window is None:
        return KioskVisit("outside_window", None, None)
    daily = _day_of(user, (check_in_window or check_out_window).work_date)
    if check_in_window is not None and (daily is None or daily.check_in_event_id is None):
        result = record_attendance(user, "check_in", source=source, office=office, now=now)
        return KioskVisit("checked_in", result.event, result.daily)
    if check_out_window is None:
        return KioskVisit("already_in", None, daily)
    daily = _day_of(user, check_out_window.work_date)
    if daily is not None and daily.check_out_event_id is not None:
        return KioskVisit("already_out", None, daily)
    if daily is not None and daily.time_in is not None and (now - daily.time_in).total_seconds() < min_gap_s:
        return KioskVisit("already_in", None, daily)
    result = record_attendance(user, "check_out", source=source, office=office, now=now)
    return KioskVisit("checked_out", result.event, result.daily)
