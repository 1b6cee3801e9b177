"""Check-in and check-out, review of flagged events, daily summaries.

Rules (contract 001, "Absensi"):
- only inside a window of the person's own schedule for the work day
  (:mod:`app.schedules.resolution`: roster → own → department → office →
  organisation), judged by the server's clock.  A moment is judged against the
  person's schedule of today and of yesterday, so a night shift's check-out after
  midnight closes yesterday's day and a check-in just before a shift opens today's;
- late: a check-in later than ``late_after`` + grace is late by the minutes past
  ``late_after``; after the check-in window a ``record_late`` schedule still records
  the check-in until its cut-off, late and flagged for review (``after_window``), a
  ``refuse`` schedule refuses it (contract 001's rcode 83);
- a day off (roster, holiday, non-working weekday) can be worked: nothing is late or
  early, and the time counts as overtime (:mod:`.overtime`);
- check-out: minutes before the scheduled end beyond the threshold are early leave;
  minutes past it (and before the start, where the schedule counts them) become an
  overtime claim;
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
from sqlalchemy import bindparam, delete, literal_column, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload, selectinload

from ..common import clock
from ..common.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from ..common.rows import as_loaded, core_execute, insert_values
from ..common.upsert import insert_or_nothing
from ..extensions import db
from ..places.models import Office
from ..places.services import office_ref
from ..schedules import day_cache, resolution
from ..schedules import services as schedules
from ..schedules.models import WorkSchedule
from . import overtime, plausibility
from .days import day_of
from .models import FACE_NOT_ENROLLED, AttendanceEvent, DailyAttendance
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
        """True when the event waits for a reviewer: its ``review_state`` is ``pending`` because a
        finding of :mod:`app.attendance.plausibility` applied (``flag_reason`` says the main one),
        and a check-in's day has status ``pending_review`` until the decision.  The dialects answer
        "recorded, awaiting review" instead of "successful"."""
        return self.event.review_state == "pending"


def schedule_days(user, local_now: datetime) -> list[resolution.DaySchedule]:
    """``user``'s schedule of today and of yesterday (local dates of ``local_now``).

    The moment's candidates: today's shift, and yesterday's if it runs past midnight.  From
    the worker's cache when the token's query noted that nothing of the person's own decides
    those days (:func:`app.schedules.day_cache.cached_days`: no statement), else one statement
    (:func:`app.schedules.resolution.resolve_days`).  Either way the same answer; a day's
    ``schedule`` / ``holiday`` may be a plain snapshot (read it, never attach it to a row).
    """
    today = local_now.date()
    return day_cache.cached_days(user, today) or resolution.resolve_days(user, [today, today - timedelta(days=1)])


def open_windows(days, kind: str, local_now: datetime) -> list[tuple[schedules.Window, resolution.DaySchedule]]:
    """The windows of ``kind`` open at ``local_now`` among ``days`` (today first), each with its day.

    A check-in is accepted in the schedule's admission window (the check-in window,
    or until the cut-off of a ``record_late`` schedule).
    """
    make = schedules.admission_window if kind == "check_in" else schedules.check_out_window
    found = []
    for day in days:
        if day.schedule is None:
            continue
        window = make(day.schedule, day.work_date, local_now.tzinfo)
        if window.contains(local_now):
            found.append((window, day))
    return found


def _window_error(days, kind: str, local_now: datetime) -> RuleViolation:
    """The refusal for a moment outside every window: "not available yet" or "has closed".

    A check-in is judged against today's window; a check-out against the shift
    whose check-in opened last, so a night shift's check-out after 06:00 (the
    "Shift Malam" of contract 001) has closed rather than being "not yet" open.
    """
    today, yesterday = days[0], days[1]
    day = today
    if kind == "check_out" and (today.schedule is None or local_now < datetime.combine(
            today.work_date, today.schedule.check_in_start, tzinfo=local_now.tzinfo)) and yesterday.schedule:
        day = yesterday
    if day.schedule is None:
        return NoActiveSchedule("No active attendance time setting")
    if kind == "check_in":
        window = schedules.admission_window(day.schedule, day.work_date, local_now.tzinfo)
    else:
        window = schedules.check_out_window(day.schedule, day.work_date, local_now.tzinfo)
    noun = "Check-in" if kind == "check_in" else "Check-out"
    if local_now < window.start:
        return OutsideWindow(f"{noun} not available yet", opens_at=window.start)
    return OutsideWindow(f"{noun} window has closed", closed_at=window.end)


def _pick_check_out(found, user):
    """Of several open check-out windows, the one whose day has a check-in without a check-out."""
    if len(found) == 1:
        return found[0]
    for window, day in found:
        daily = day_of(user.id, window.work_date)
        if daily is not None and daily.check_in_event_id is not None and daily.check_out_event_id is None:
            return window, day
    return found[0]


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
    days: list | None = None,
    hold: str | None = None,
) -> RecordResult:
    """Record a check-in or check-out for ``user`` now (server clock, UTC), judged by
    ``user``'s own schedule of the work day (see the module's rules).

    :param kind: ``check_in`` or ``check_out``.
    :param latitude, longitude: WGS84 degrees, already validated; None when the
        source has no position (face, QR at a kiosk).
    :param accuracy_m: reported GPS accuracy in metres, if any.
    :param office: the office to check against (an :class:`Office` or a cached
        :class:`~app.places.services.OfficeRef`); defaults to ``user``'s own office.  An office
        named by the client that is not the person's own is flagged ``wrong_office``.
    :param days: :func:`schedule_days` of ``user`` at ``now`` when the caller already has them.
    :param hold: a reason (one of :data:`~.models.FLAG_REASONS`) the caller already has to
        hold the event for review, e.g. ``face_not_enrolled``, added to what is found here.
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

            daily = day_of(user.id, existing.work_date)
            return RecordResult(existing, daily, replayed=True)

    now = now or clock.now()
    local_now = clock.to_local(now)
    days = days or schedule_days(user, local_now)
    found = open_windows(days, kind, local_now)
    if not found:
        raise _window_error(days, kind, local_now)
    window, day = found[0] if kind == "check_in" else _pick_check_out(found, user)
    after_window = kind == "check_in" and not schedules.check_in_window(
        day.schedule, day.work_date, local_now.tzinfo).contains(local_now)

    office = office or office_ref(user.office_id)
    distance, findings = None, []
    if latitude is not None and longitude is not None:
        verdict = plausibility.judge_position(user, latitude=latitude, longitude=longitude, accuracy_m=accuracy_m,
                                              office=office, at=now)
        distance, findings = verdict.distance_m, verdict.findings
    elif source == "mobile_gps":
        raise ValidationFailed({"latitude": ["Latitude is required for location verification"]})
    if after_window:
        closed = schedules.check_in_window(day.schedule, day.work_date, local_now.tzinfo).end - timedelta(minutes=1)
        findings = [*findings, plausibility.Finding("after_window", {"closed_at": closed.strftime("%H:%M")})]
    if hold:
        findings = [*findings, plausibility.Finding(hold)]

    fields = dict(
        user_id=user.id, kind=kind, occurred_at=now, work_date=window.work_date, source=source,
        latitude=latitude, longitude=longitude, accuracy_m=accuracy_m,
        office_id=office.id if office else None, distance_m=distance, device_id=device_id,
        client_ref=client_ref, client_time=client_time,
        review_state="pending" if findings else "not_required", flag_reason=plausibility.main_reason(findings),
        flag_details=plausibility.details_json(findings),
    )
    if kind == "check_in":
        event, daily = _claim_check_in(user, day, window.work_date, fields, local_now)
    else:
        event = AttendanceEvent(**fields)
        daily = _claim_check_out(user, day, window.work_date, event, local_now)
    return RecordResult(event, daily)


def check_in_day(user, now: datetime | None = None) -> date:
    """The work day a check-in by ``user`` at ``now`` would open, refusing early what would fail.

    For a caller with slow work before recording (a face to verify): the same judgement
    as :func:`record_attendance` (the person's own schedule of today and yesterday),
    which checks it all again, race-safe, when it records.
    :raises NoActiveSchedule, OutsideWindow: no schedule, or no check-in window open.
    :raises AlreadyCheckedIn: that day already has a check-in.
    """
    local_now = clock.to_local(now or clock.now())
    days = schedule_days(user, local_now)
    found = open_windows(days, "check_in", local_now)
    if not found:
        raise _window_error(days, "check_in", local_now)
    work_date = found[0][0].work_date
    daily = day_of(user.id, work_date)
    if daily is not None and daily.check_in_event_id is not None:
        raise AlreadyCheckedIn()
    return work_date


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


def _day_facts(day, work_date: date, local_now: datetime) -> dict:
    """The columns a check-in sets from the person's day: schedule, lateness, why it is a day off."""
    return {"schedule_id": day.schedule.id,
            "late_minutes": 0 if day.day_off else schedules.late_minutes(day.schedule, work_date, local_now),
            "off_reason": day.off_reason}


@cache
def _claim_both():
    """PostgreSQL: the event's and the day's ``INSERT … ON CONFLICT DO NOTHING`` in one statement
    (one round trip instead of two), returning ``(event_id, day_id)``, each None when its insert
    was refused.  Parameters: ``e_<column>`` for every event column but ``id``, ``d_<column>`` for
    every day column but ``id`` and ``check_in_event_id`` (the new event's id).  The day's values
    are cast to their columns' types (an ``INSERT … SELECT`` does not infer them); the day's
    foreign key to the event is checked at the end of the statement, when the event exists.
    SQLite has no ``INSERT`` inside ``WITH``: it sends the two statements.
    """
    from sqlalchemy import bindparam, text
    from sqlalchemy.dialects import postgresql

    dialect = postgresql.dialect()
    quote = dialect.identifier_preparer.quote
    events, days = AttendanceEvent.__table__, DailyAttendance.__table__
    event_columns = [c for c in events.columns if c.key != "id"]
    day_columns = [c for c in days.columns if c.key not in ("id", "check_in_event_id")]
    sql = (
        f"WITH e AS (INSERT INTO {quote(events.name)} ({', '.join(quote(c.name) for c in event_columns)}) "
        f"VALUES ({', '.join(':e_' + c.key for c in event_columns)}) ON CONFLICT DO NOTHING RETURNING id), "
        f"d AS (INSERT INTO {quote(days.name)} ({', '.join(quote(c.name) for c in day_columns)}, check_in_event_id) "
        f"SELECT {', '.join(f'CAST(:d_{c.key} AS {c.type.compile(dialect)})' for c in day_columns)}, e.id FROM e "
        "ON CONFLICT DO NOTHING RETURNING id) "
        "SELECT (SELECT id FROM e) AS event_id, (SELECT id FROM d) AS day_id")
    return text(sql).bindparams(*(bindparam(f"e_{c.key}", type_=c.type) for c in event_columns),
                                *(bindparam(f"d_{c.key}", type_=c.type) for c in day_columns))


def _claim_check_in(user, day, work_date: date, fields: dict, local_now: datetime
                    ) -> tuple[AttendanceEvent, DailyAttendance]:
    """Record the event of ``fields`` (its columns) as ``user``'s check-in of ``work_date`` and
    return it with the day.

    The usual case, the day's first event, is two Core statements: the event's
    ``INSERT`` and the day's ``INSERT … ON CONFLICT DO NOTHING RETURNING`` (on PostgreSQL
    both in one statement, :func:`_claim_both`); the event and the day are then handed back as
    ORM objects built from the values written (:func:`app.common.rows.as_loaded`: no ORM
    unit of work).  The unique
    (user, work day) row is the lock: when the day already exists (a concurrent
    check-in that got there first, or an earlier one) nothing is inserted, the event is
    deleted again and the day is judged below — so a refused check-in leaves nothing
    behind, also for callers that catch :class:`AlreadyCheckedIn` and go on.

    :raises AlreadyCheckedIn: the day already has a check-in (or the event's
        ``client_ref`` was just used by a concurrent request).
    """
    facts = _day_facts(day, work_date, local_now)
    event_values = insert_values(AttendanceEvent.__table__, **fields)
    day_values = insert_values(
        DailyAttendance.__table__, user_id=user.id, work_date=work_date, time_in=fields["occurred_at"],
        early_leave_minutes=0, worked_minutes=None, **facts,
        status="pending_review" if fields["review_state"] == "pending" else (
            "late" if facts["late_minutes"] > 0 else "present"))
    if db.session.get_bind().dialect.name == "postgresql":
        event_id, day_id = core_execute(_claim_both(), {
            **{f"e_{key}": value for key, value in event_values.items()},
            **{f"d_{key}": value for key, value in day_values.items() if key != "check_in_event_id"}}).one()
        if event_id is None:  # the same client_ref, recorded by a concurrent retry
            raise AlreadyCheckedIn()
        day_values["check_in_event_id"] = event_id
    else:
        event_id = core_execute(insert_or_nothing(AttendanceEvent.__table__, "id"), event_values).scalar()
        if event_id is None:  # the same client_ref, recorded by a concurrent retry
            raise AlreadyCheckedIn()
        day_values["check_in_event_id"] = event_id
        day_id = core_execute(insert_or_nothing(DailyAttendance.__table__, "id"), day_values).scalar()
    if day_id is not None:
        event = as_loaded(AttendanceEvent, event_values, event_id, user=user)
        return event, as_loaded(DailyAttendance, day_values, day_id, user=user, check_in_event=event)
    core_execute(delete(AttendanceEvent.__table__).where(AttendanceEvent.__table__.c.id == event_id))
    daily = db.session.scalar(_day_query(), {"user_id": user.id, "work_date": work_date})
    if daily is None or daily.check_in_event_id is not None:
        raise AlreadyCheckedIn()
    # The day exists without a check-in (its check-in was rejected): claim it.
    event = AttendanceEvent(**fields)
    _claim_slot(daily, event, "check_in_event_id", AlreadyCheckedIn)
    daily.check_in_event_id = event.id
    daily.check_in_event = event
    for key, value in facts.items():
        setattr(daily, key, value)
    daily.time_in = event.occurred_at
    daily.status = _status(daily)
    _refresh_totals(daily)
    db.session.flush()
    return event, daily


def schedule_of_day(daily: DailyAttendance, day=None) -> WorkSchedule | None:
    """The schedule that judged ``daily`` at check-in (``day``'s when it is the same one)."""
    if daily.schedule_id is None:
        return None
    if day is not None and day.schedule is not None and day.schedule.id == daily.schedule_id:
        return day.schedule
    return db.session.get(WorkSchedule, daily.schedule_id)


def _claim_check_out(user, day, work_date: date, event: AttendanceEvent, local_now: datetime) -> DailyAttendance:
    daily = day_of(user.id, work_date)
    if daily is None or daily.check_in_event_id is None:
        raise NotCheckedIn()
    if daily.check_out_event_id is not None:
        raise AlreadyCheckedOut()
    _claim_slot(daily, event, "check_out_event_id", AlreadyCheckedOut)
    daily.check_out_event_id = event.id
    daily.check_out_event = event
    daily.time_out = event.occurred_at
    schedule = schedule_of_day(daily, day)
    daily.early_leave_minutes = 0 if (schedule is None or daily.off_reason) \
        else schedules.early_leave_minutes(schedule, work_date, local_now)
    _refresh_totals(daily)
    db.session.flush()
    overtime.evaluate_day(daily, schedule, holiday=day.holiday is not None)
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

#: Events decided one by one (not held with a face enrolment request, which decides them).
_DECIDED_ALONE = db.or_(AttendanceEvent.flag_reason.is_(None), AttendanceEvent.flag_reason != FACE_NOT_ENROLLED)
#: ``review_state = 'pending'`` written as a literal, not a bound parameter: only then does SQLite
#: know that the partial index ``ix_attendance_events_pending`` (whose condition it is) answers the
#: term, instead of reading every pending event's row to check it (the sidebar's count of 5,000
#: waiting events: 11.6 ms with a parameter, 0.5 ms with the literal).
_PENDING = AttendanceEvent.review_state == literal_column("'pending'")


def pending_events_query():
    """Select statement of events waiting for review, oldest first (then in the order recorded) —
    not those held with a face enrolment request (they wait beside its photo and are decided with it)."""
    return (db.select(AttendanceEvent)
            .where(_PENDING, _DECIDED_ALONE)
            .order_by(AttendanceEvent.occurred_at, AttendanceEvent.id))


def get_event(event_id: int) -> AttendanceEvent:
    """:raises NotFound: no event with this id."""
    event = db.session.get(AttendanceEvent, event_id)
    if event is None:
        raise NotFound(N_("Attendance event not found"))
    return event


def review_event(event: AttendanceEvent, reviewer, *, approve: bool, note: str | None = None,
                 with_enrolment: bool = False, notify_person: bool = True) -> AttendanceEvent:
    """Approve or reject a flagged event and bring its day up to date.

    Rejecting a check-in clears the day's check-in (the person may check in
    again); rejecting a check-out clears the check-out; either removes the day's
    overtime claim.  The event itself
    stays, with the reviewer, the time and the note.  The person is notified
    (unless ``notify_person`` is False: the caller tells them once for several).  The
    decision is written to the audit trail (``attendance.approve`` / ``attendance.reject``).

    :param with_enrolment: True only for the decision on a face enrolment request,
        the one place a ``face_not_enrolled`` event is decided (with its photo).
    :raises RuleViolation: the event is not pending, or is held with a face
        enrolment request and ``with_enrolment`` is False.
    :raises ValidationFailed: a rejection without a note (``note`` is required).
    """
    from ..notify.services import notify

    if event.review_state != "pending":
        raise RuleViolation(N_("This attendance event has already been reviewed"))
    if event.flag_reason == FACE_NOT_ENROLLED and not with_enrolment:
        raise RuleViolation(N_("This check-in is decided with the person's face enrolment"))
    note = (note or "").strip() or None
    if not approve and not note:
        raise ValidationFailed({"note": [N_("A reason is required to reject.")]})
    from ..audit.services import record

    event.review_state = "approved" if approve else "rejected"
    record(reviewer, "attendance.approve" if approve else "attendance.reject", subject_type="attendance_event",
           subject_id=event.id, person=event.user_id, before={"review_state": "pending"},
           after={"review_state": event.review_state, "kind": event.kind, "work_date": event.work_date,
                  "occurred_at": event.occurred_at}, reason=note, only_changes=False)
    event.reviewed_by_id = reviewer.id
    event.reviewed_at = clock.now()
    event.review_note = note
    daily = day_of(event.user_id, event.work_date)
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
        if not approve:
            overtime.discard_day(daily)
    local = clock.to_local(event.occurred_at).strftime("%d-%m-%Y %H:%M")
    if event.kind == "check_in":
        title = N_("Your check-in was approved") if approve else N_("Your check-in was rejected")
        body = N_("Your check-in of %(time)s was approved.") if approve else \
            N_("Your check-in of %(time)s was rejected: %(note)s")
    else:
        title = N_("Your check-out was approved") if approve else N_("Your check-out was rejected")
        body = N_("Your check-out of %(time)s was approved.") if approve else \
            N_("Your check-out of %(time)s was rejected: %(note)s")
    if notify_person:
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


def days_events(days) -> dict[tuple[int, date], list[AttendanceEvent]]:
    """:func:`day_events` of many days in a constant number of statements (one, and one each for
    the events' offices and reviewers): ``{(user_id, work_date): [events in the order they
    happened]}``, a key for every one of ``days`` (:class:`DailyAttendance` or rows with
    ``user_id`` and ``work_date``; an empty list when the day has no events)."""
    found: dict[tuple[int, date], list[AttendanceEvent]] = {(d.user_id, d.work_date): [] for d in days}
    if not found:
        return found
    stmt = (db.select(AttendanceEvent)
            .where(AttendanceEvent.user_id.in_(sorted({user_id for user_id, _ in found})),
                   AttendanceEvent.work_date.in_(sorted({day for _, day in found})))
            .options(selectinload(AttendanceEvent.office), selectinload(AttendanceEvent.reviewed_by))
            .order_by(AttendanceEvent.occurred_at, AttendanceEvent.id))
    for event in db.session.scalars(stmt):
        events = found.get((event.user_id, event.work_date))
        if events is not None:   # the other days of these people and dates
            events.append(event)
    return found


def _oldest_pending_of_day():
    """Correlated subquery: when the oldest pending event of a :class:`DailyAttendance` row happened
    (NULL when none of its events waits)."""
    return (db.select(db.func.min(AttendanceEvent.occurred_at))
            .where(AttendanceEvent.user_id == DailyAttendance.user_id,
                   AttendanceEvent.work_date == DailyAttendance.work_date,
                   _PENDING, _DECIDED_ALONE)
            .correlate(DailyAttendance).scalar_subquery())


def pending_days_query():
    """Select statement of the attendance days with at least one event waiting for review,
    the day whose oldest waiting event happened first coming first.

    Starts from the few pending events (their partial index ``ix_attendance_events_pending_day``,
    read alone), grouped by person and day, and joins their days: a correlated subquery per day
    row read every day of the year instead.  On PostgreSQL the groups come ordered by their oldest
    event (no change to the answer): its planner then fetches the page's days by their unique
    index and stops, where it hash-joined every group to a scan of every day row (100 ms at a year
    of 1,000 people; ``bench/README.md``).  SQLite would only sort the groups once more (~5 ms).
    """
    pending = (db.select(AttendanceEvent.user_id, AttendanceEvent.work_date,
                         db.func.min(AttendanceEvent.occurred_at).label("oldest"))
               .where(_PENDING, _DECIDED_ALONE)
               .group_by(AttendanceEvent.user_id, AttendanceEvent.work_date))
    if db.session.get_bind().dialect.name == "postgresql":
        pending = pending.order_by(db.func.min(AttendanceEvent.occurred_at))
    pending = pending.subquery("pending_days")
    return (db.select(DailyAttendance)
            .join(pending, db.and_(pending.c.user_id == DailyAttendance.user_id,
                                   pending.c.work_date == DailyAttendance.work_date))
            .order_by(pending.c.oldest, DailyAttendance.id))


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
    waiting = [e for e in day_events(daily) if e.review_state == "pending" and e.flag_reason != FACE_NOT_ENROLLED]
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
    flagged = db.session.scalar(db.select(db.func.count()).select_from(AttendanceEvent).where(_PENDING))
    return {
        "present": rows.get("present", 0),
        "late": rows.get("late", 0),
        "pending_review": rows.get("pending_review", 0),
        "not_in": max(0, staff - checked_in),
        "flagged": flagged,
        "staff": staff,
    }


# --- admin web app ---------------------------------------------------------------

def pending_event_count() -> int:
    """How many attendance events wait for review on their own (:func:`pending_events_query`)."""
    return db.session.scalar(
        db.select(db.func.count()).select_from(AttendanceEvent).where(_PENDING, _DECIDED_ALONE))


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
        raise ValidationFailed({"event_ids": [N_("Select at least one event.")]})
    events = {e.id: e for e in db.session.scalars(db.select(AttendanceEvent).where(AttendanceEvent.id.in_(ids)))}
    missing = [i for i in ids if i not in events]
    if missing:
        raise NotFound(N_("Attendance event not found"), ids=missing)
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


def record_kiosk_visit(user, *, office: Office | None, min_gap_s: int, source: str = "face",
                       now: datetime | None = None) -> KioskVisit:
    """A kiosk recognised ``user`` (by face): check in or out, following their day.

    Rules (the kiosk's face mode): in a check-in window, a person without a check-in
    that work day is checked in; with one, nothing is recorded (``already_in``)
    unless a check-out window is open too and at least ``min_gap_s`` seconds
    passed since the check-in.  In a check-out window, a person checked in at
    least ``min_gap_s`` seconds ago is checked out; sooner, or already checked
    out, nothing is recorded.  Outside every window nothing is recorded.  A
    check-out without a check-in that day raises :class:`NotCheckedIn`.

    :param office: the kiosk's office (the event's place; no geofence: the kiosk stands there).
    :param min_gap_s: seconds between check-in and the earliest check-out (a second look
        at the kiosk a few minutes later does not check the person out).
    :raises NoActiveSchedule: no work schedule applies to the person today.
    :raises NotCheckedIn: a check-out window, and no check-in that day.
    """
    now = now or clock.now()
    local_now = clock.to_local(now)
    days = schedule_days(user, local_now)
    if days[0].schedule is None and days[1].schedule is None:
        raise NoActiveSchedule("No active attendance time setting")
    check_ins = open_windows(days, "check_in", local_now)
    check_outs = open_windows(days, "check_out", local_now)
    if not check_ins and not check_outs:
        return KioskVisit("outside_window", None, None)
    check_in_window = check_ins[0][0] if check_ins else None
    check_out_window = _pick_check_out(check_outs, user)[0] if check_outs else None
    daily = day_of(user.id, (check_in_window or check_out_window).work_date)
    if check_in_window is not None and (daily is None or daily.check_in_event_id is None):
        if check_out_window is not None and check_out_window.work_date < check_in_window.work_date:
            # yesterday's shift is still open: this visit ends it rather than starting today's
            earlier = day_of(user.id, check_out_window.work_date)
            if earlier is not None and earlier.time_in is not None and earlier.check_out_event_id is None \
                    and (now - earlier.time_in).total_seconds() >= min_gap_s:
                result = record_attendance(user, "check_out", source=source, office=office, now=now, days=days)
                return KioskVisit("checked_out", result.event, result.daily)
        result = record_attendance(user, "check_in", source=source, office=office, now=now, days=days)
        return KioskVisit("checked_in", result.event, result.daily)
    if check_out_window is None:
        return KioskVisit("already_in", None, daily)
    daily = day_of(user.id, check_out_window.work_date)
    if daily is not None and daily.check_out_event_id is not None:
        return KioskVisit("already_out", None, daily)
    if daily is not None and daily.time_in is not None and (now - daily.time_in).total_seconds() < min_gap_s:
        return KioskVisit("already_in", None, daily)
    result = record_attendance(user, "check_out", source=source, office=office, now=now, days=days)
    return KioskVisit("checked_out", result.event, result.daily)
