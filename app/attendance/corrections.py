"""Corrections: an admin puts a person's day right, append-only, with a reason and an audit entry.

What an admin can do to one person's work day (one service each):

- :func:`add_times` — add a missing check-in and/or check-out (local times of the work day);
- :func:`mark_leave` — the day was sick leave (*sakit*, with the note), permission (*izin*) or
  off-site duty (*dinas luar*): stored as an approved leave request of :mod:`app.leave`, so every
  report counts it as that type;
- :func:`mark_absent` — the day was absent without leave (*alpa*), whatever was recorded;
- :func:`plan_bulk_leave` / :func:`mark_leave_bulk` — a department or an office on one date
  (a business trip, an office closure), confirmed with the number of people it marks.

Rules:

- append-only: added times are new :class:`~.models.AttendanceEvent` rows with source
  ``manual``, ``recorded_by`` the admin and the ``reason``; nothing recorded is changed or
  deleted — the day (:class:`~.models.DailyAttendance`) is derived again from its events;
- the day is judged as the check-in engine judges it (:mod:`.services`): the person's own
  schedule of that date (roster → own → department → office → organisation), late minutes
  past ``late_after`` beyond the grace, early leave before the scheduled end beyond the
  threshold, nothing late or early on a day off, worked minutes, and the overtime claim
  (:func:`.overtime.evaluate_day`, approved at once within the schedule's limit);
- a check-out time earlier than (or equal to) the check-in time is on the next day (a night
  shift); no time may lie in the future;
- a reason is required (at most :data:`MAX_REASON` characters); the person must exist, not be
  deleted, and not be a student (students are marked by their teacher in the school flow);
- every correction writes one audit entry (:func:`app.audit.services.record`) with the day's
  values before and after (the work day on the "after" side only, so that it always shows).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..accounts.roles import STUDENT_ROLES
from ..audit.services import record, snapshot
from ..common import clock
from ..common.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from ..schedules import resolution
from ..schedules import services as schedules
from . import overtime
from .days import day_of
from .models import AttendanceEvent, DailyAttendance
from .services import AlreadyCheckedIn, AlreadyCheckedOut, _claim_slot, _refresh_totals, _status, schedule_of_day

#: The longest reason accepted (characters).
MAX_REASON = 500
#: Leave types a correction may mark a day as (annual leave, *cuti*, is asked for and approved
#: through the leave flow, since it counts against the person's entitlement).
CORRECTION_LEAVE_TYPES = ("sakit", "izin", "dinas_luar")
#: The day's values an audit entry keeps before and after a correction.
DAY_FIELDS = ("status", "time_in", "time_out", "late_minutes", "early_leave_minutes", "worked_minutes")


def _reason(reason) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationFailed({"reason": [N_("A reason is required for a correction.")]})
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ValidationFailed({"reason": [N_("At most 500 characters.")]})
    return reason


def _person(user_id) -> User:
    """:raises NotFound: no such person (or deleted).  :raises RuleViolation: a student."""
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.deleted_at is not None:
        raise NotFound("Person not found")
    if user.role in STUDENT_ROLES:
        raise RuleViolation(N_("Students are marked by their teacher in the school’s attendance."))
    return user


def _work_date(work_date) -> date:
    if not isinstance(work_date, date) or isinstance(work_date, datetime):
        raise ValidationFailed({"work_date": ["Not a valid date."]})
    if work_date > clock.local_today():
        raise ValidationFailed({"work_date": [N_("A day in the future cannot be corrected.")]})
    return work_date


def _before(daily: DailyAttendance | None) -> dict:
    return snapshot(daily, DAY_FIELDS) if daily is not None else {"status": None}


def _manual_event(user: User, actor, kind: str, moment: datetime, work_date: date, reason: str) -> AttendanceEvent:
    return AttendanceEvent(user_id=user.id, kind=kind, occurred_at=moment, work_date=work_date, source="manual",
                           office_id=user.office_id, review_state="not_required", recorded_by_id=actor.id,
                           reason=reason)


@dataclass(frozen=True)
class Correction:
    """What a correction did: the ``daily`` row as it is now (None when the day has no row,
    e.g. after marking leave), the ``events`` it added, the ``leave`` it recorded, if any."""

    daily: DailyAttendance | None
    events: tuple[AttendanceEvent, ...] = ()
    leave: object | None = None


def add_times(actor, user_id: int, work_date: date, *, check_in: time | None = None,
              check_out: time | None = None, reason: str) -> Correction:
    """Add a missing check-in and/or check-out to ``user_id``'s ``work_date`` (see the module's rules).

    :param check_in, check_out: local times (the organisation's zone) of ``work_date``; a
        check-out not after the check-in is on the next day.  At least one.
    :raises ValidationFailed: no time, a time in the future, a check-out not later than the
        day's check-in, a bad reason (fields ``check_in``, ``check_out``, ``reason``, ``work_date``).
    :raises NotFound: no such person.  :raises RuleViolation: a student.
    :raises AlreadyCheckedIn, AlreadyCheckedOut: the day already has that event (field named).
    :raises NotCheckedIn: a check-out alone on a day without a check-in.
    """
    from .services import NotCheckedIn

    user = _person(user_id)
    work_date = _work_date(work_date)
    reason = _reason(reason)
    if check_in is None and check_out is None:
        raise ValidationFailed({"check_in": [N_("Give a check-in time, a check-out time or both.")]})
    zone = clock.local_zone()
    now = clock.now()
    daily = day_of(user.id, work_date)
    before = _before(daily)
    plan = resolution.resolve_day(user, work_date)
    moment_in = datetime.combine(work_date, check_in, tzinfo=zone) if check_in is not None else None
    if moment_in is not None:
        if daily is not None and daily.check_in_event_id is not None:
            raise AlreadyCheckedIn(N_("This day already has a check-in."), field="check_in")
        if moment_in > now:
            raise ValidationFailed({"check_in": [N_("This time is in the future.")]})
    start = moment_in or (clock.to_local(daily.time_in) if daily is not None and daily.time_in else None)
    moment_out = None
    if check_out is not None:
        if daily is not None and daily.check_out_event_id is not None:
            raise AlreadyCheckedOut(N_("This day already has a check-out."), field="check_out")
        if start is None:
            raise NotCheckedIn(N_("Add the check-in first: this day has none."), field="check_out")
        moment_out = datetime.combine(start.date(), check_out, tzinfo=zone)
        if moment_out <= start:
            moment_out += timedelta(days=1)
        if moment_out > now:
            raise ValidationFailed({"check_out": [N_("This time is in the future.")]})
        if moment_out - start >= timedelta(hours=24):
            raise ValidationFailed({"check_out": [N_("The check-out must be within 24 hours of the check-in.")]})

    events = []
    if moment_in is not None:
        event = _manual_event(user, actor, "check_in", moment_in, work_date, reason)
        facts = {"schedule_id": plan.schedule.id if plan.schedule else None,
                 "late_minutes": 0 if plan.day_off or plan.schedule is None
                 else schedules.late_minutes(plan.schedule, work_date, moment_in),
                 "off_reason": plan.off_reason}
        if daily is None:
            daily = DailyAttendance(user_id=user.id, work_date=work_date, check_in_event=event,
                                    time_in=event.occurred_at, **facts)
            try:
                with db.session.begin_nested():
                    db.session.add(event)
                    db.session.add(daily)
                    db.session.flush()
            except IntegrityError:
                raise AlreadyCheckedIn(N_("This day already has a check-in."), field="check_in") from None
        else:
            _claim_slot(daily, event, "check_in_event_id", AlreadyCheckedIn)
            daily.check_in_event = event
            for key, value in facts.items():
                setattr(daily, key, value)
            daily.time_in = event.occurred_at
        daily.status = _status(daily)
        events.append(event)
    if moment_out is not None:
        event = _manual_event(user, actor, "check_out", moment_out, work_date, reason)
        _claim_slot(daily, event, "check_out_event_id", AlreadyCheckedOut)
        daily.check_out_event = event
        daily.time_out = event.occurred_at
        schedule = schedule_of_day(daily, plan)
        daily.early_leave_minutes = 0 if (schedule is None or daily.off_reason) \
            else schedules.early_leave_minutes(schedule, work_date, moment_out)
        events.append(event)
    _refresh_totals(daily)
    db.session.flush()
    if daily.time_out is not None:
        overtime.evaluate_day(daily, schedule_of_day(daily, plan), holiday=plan.holiday is not None)
    action = "correction.check_in" if moment_in is not None else "correction.check_out"
    after = {**snapshot(daily, DAY_FIELDS), "work_date": work_date, "events": [e.id for e in events]}
    record(actor, action, subject_type="daily_attendance", subject_id=daily.id, person=user,
           before={**before, "events": []}, after=after, reason=reason)
    return Correction(daily, tuple(events))


def _clear_absent_mark(daily: DailyAttendance | None) -> DailyAttendance | None:
    """Remove a day row that holds only an absence mark (no check-in or check-out): the day is
    derived, and its history is in the audit trail."""
    if daily is not None and daily.status == "absent" and daily.check_in_event_id is None \
            and daily.check_out_event_id is None:
        db.session.delete(daily)
        db.session.flush()
        return None
    return daily


def mark_leave(actor, user_id: int, work_date: date, leave_type: str, *, reason: str,
               note: str | None = None) -> Correction:
    """Mark ``work_date`` of ``user_id`` as leave of ``leave_type`` (:data:`CORRECTION_LEAVE_TYPES`).

    Recorded as an approved leave request for that one day (:func:`app.leave.services.record_approved_leave`)
    whose text is ``note`` (e.g. the sick note; the reason when empty) and whose approval comment is
    ``reason``.  A day marked absent before loses that mark.

    :raises ValidationFailed: an unknown leave type, a bad reason or date.
    :raises RuleViolation: the day has a check-in (correct the times instead), or the person is a student.
    :raises Conflict: a pending or approved leave already covers that day.
    :raises NotFound: no such person.
    """
    from ..leave.services import record_approved_leave

    user = _person(user_id)
    work_date = _work_date(work_date)
    reason = _reason(reason)
    if leave_type not in CORRECTION_LEAVE_TYPES:
        raise ValidationFailed({"leave_type": [N_("Choose sick leave, permission or off-site duty.")]})
    note = (note or "").strip() or None
    if note and len(note) > MAX_REASON:
        raise ValidationFailed({"note": [N_("At most 500 characters.")]})
    daily = day_of(user.id, work_date)
    if daily is not None and daily.time_in is not None:
        raise RuleViolation(N_("This day has a check-in: mark it absent first, or correct its times."),
                            field="leave_type")
    before = _before(daily)
    try:
        leave = record_approved_leave(user, leave_type, work_date, work_date, note or reason, actor, comment=reason)
    except Conflict:
        raise Conflict(N_("A leave request already covers this day."), field="leave_type") from None
    daily = _clear_absent_mark(daily)
    record(actor, "correction.leave", subject_type="leave_request", subject_id=leave.id, person=user,
           before=before, after={"status": leave_type, "work_date": work_date, "leave_type": leave_type, "note": note},
           reason=reason)
    return Correction(daily, (), leave)


def mark_absent(actor, user_id: int, work_date: date, *, reason: str) -> Correction:
    """Mark ``work_date`` of ``user_id`` absent without leave (*alpa*).

    The day's row gets status ``absent`` and no longer points at its events (which stay, with
    their reviews); its times, lateness and overtime claim go.  A day without a row gets one.

    :raises RuleViolation: an approved or pending leave covers the day (decide that instead), the
        day is already marked absent, or the person is a student.
    :raises ValidationFailed: a bad reason or date.  :raises NotFound: no such person.
    """
    from ..leave.models import LeaveRequest
    from ..leave.services import ACTIVE_STATUSES

    user = _person(user_id)
    work_date = _work_date(work_date)
    reason = _reason(reason)
    covered = db.session.scalar(db.select(LeaveRequest.id).where(
        LeaveRequest.user_id == user.id, LeaveRequest.status.in_(ACTIVE_STATUSES),
        LeaveRequest.start_date <= work_date, LeaveRequest.end_date >= work_date).limit(1))
    if covered is not None:
        raise RuleViolation(N_("A leave request covers this day."), field="reason")
    daily = day_of(user.id, work_date)
    if daily is not None and daily.status == "absent":
        raise RuleViolation(N_("This day is already marked absent."), field="reason")
    before = _before(daily)
    if daily is None:
        plan = resolution.resolve_day(user, work_date)
        daily = DailyAttendance(user_id=user.id, work_date=work_date, status="absent", late_minutes=0,
                                schedule_id=plan.schedule.id if plan.schedule else None, off_reason=plan.off_reason)
        try:
            with db.session.begin_nested():
                db.session.add(daily)
                db.session.flush()
        except IntegrityError:
            raise Conflict("The day changed meanwhile; try again.", field="reason") from None
    else:
        daily.check_in_event_id = daily.check_out_event_id = None
        daily.check_in_event = daily.check_out_event = None
        daily.time_in = daily.time_out = None
        daily.late_minutes = daily.early_leave_minutes = 0
        daily.status = "absent"
        _refresh_totals(daily)
        overtime.discard_day(daily)
    db.session.flush()
    record(actor, "correction.absent", subject_type="daily_attendance", subject_id=daily.id, person=user,
           before=before, after={**snapshot(daily, DAY_FIELDS), "work_date": work_date}, reason=reason)
    return Correction(daily)


# --- a department or an office on one date -------------------------------------------------

@dataclass(frozen=True)
class BulkPlan:
    """Who a bulk correction marks (``marked``) and who it leaves as they are (``checked_in``:
    a check-in that day; ``on_leave``: leave already covers the day), each a list of users by name."""

    work_date: date
    marked: list
    checked_in: list
    on_leave: list


def _members(department_id: int | None, office_id: int | None) -> list[User]:
    from ..departments.models import Department
    from ..departments.services import descendant_ids
    from ..places.models import Office

    if (department_id is None) == (office_id is None):
        raise ValidationFailed({"department_id": [N_("Choose a department or an office.")]})
    stmt = db.select(User).where(User.is_active.is_(True), User.deleted_at.is_(None),
                                 User.role.not_in(tuple(STUDENT_ROLES)))
    if department_id is not None:
        department = db.session.get(Department, department_id)
        if department is None:
            raise ValidationFailed({"department_id": ["Not a valid choice."]})
        stmt = stmt.where(User.department_id.in_({department.id, *descendant_ids(department)}))
    else:
        if db.session.get(Office, office_id) is None:
            raise ValidationFailed({"office_id": ["Not a valid choice."]})
        stmt = stmt.where(User.office_id == office_id)
    return list(db.session.scalars(stmt.order_by(User.name, User.id)))


def plan_bulk_leave(work_date: date, *, department_id: int | None = None, office_id: int | None = None) -> BulkPlan:
    """Who :func:`mark_leave_bulk` would mark on ``work_date``: the active people (not students)
    of the department (with its sub-departments) or the office, without a check-in or leave that day.

    :raises ValidationFailed: neither or both of department and office, an unknown one, a future date.
    """
    from ..leave.models import LeaveRequest
    from ..leave.services import ACTIVE_STATUSES

    work_date = _work_date(work_date)
    people = _members(department_id, office_id)
    ids = [u.id for u in people]
    checked_in = set(db.session.scalars(db.select(DailyAttendance.user_id).where(
        DailyAttendance.user_id.in_(ids), DailyAttendance.work_date == work_date,
        DailyAttendance.time_in.is_not(None)))) if ids else set()
    on_leave = set(db.session.scalars(db.select(LeaveRequest.user_id).where(
        LeaveRequest.user_id.in_(ids), LeaveRequest.status.in_(ACTIVE_STATUSES),
        LeaveRequest.start_date <= work_date, LeaveRequest.end_date >= work_date))) if ids else set()
    return BulkPlan(work_date, [u for u in people if u.id not in checked_in and u.id not in on_leave],
                    [u for u in people if u.id in checked_in], [u for u in people if u.id in on_leave and
                                                                 u.id not in checked_in])


def mark_leave_bulk(actor, work_date: date, leave_type: str, *, reason: str, expected: int,
                    department_id: int | None = None, office_id: int | None = None) -> list[Correction]:
    """Mark ``work_date`` as ``leave_type`` for everyone :func:`plan_bulk_leave` names, each with
    :func:`mark_leave` (one leave request and one audit entry per person), all or nothing.

    :param expected: the number of people the admin confirmed; when the plan names another
        number now (someone checked in meanwhile), nothing is marked.
    :raises Conflict: ``expected`` differs from the plan (field ``expected``).
    :raises ValidationFailed: as :func:`plan_bulk_leave` and :func:`mark_leave`; nobody to mark.
    """
    plan = plan_bulk_leave(work_date, department_id=department_id, office_id=office_id)
    if not plan.marked:
        raise ValidationFailed({"department_id": [N_("Nobody to mark on this date.")]})
    if expected != len(plan.marked):
        raise Conflict(N_("The number of people changed meanwhile; check the list again."), field="expected")
    return [mark_leave(actor, user.id, work_date, leave_type, reason=reason) for user in plan.marked]


# --- a day as the correction page shows it ------------------------------------------------

@dataclass(frozen=True)
class DayView:
    """One person's day for the correction page: ``user``, ``work_date``, ``plan`` (their
    :class:`~app.schedules.resolution.DaySchedule`), ``daily`` (or None), ``events`` (every event
    of the day, oldest first, also those the day no longer points at), ``leave`` (the leave request
    covering the day, if any) and ``history`` (the audit entries about the day, oldest first)."""

    user: User
    work_date: date
    plan: object
    daily: DailyAttendance | None
    events: list
    leave: object | None
    history: list


def day_view(user_id: int, work_date: date) -> DayView:
    """:raises NotFound: no such person.  :raises ValidationFailed: not a date."""
    from ..audit.models import AuditEntry
    from ..leave.models import LeaveRequest

    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or user.deleted_at is not None:
        raise NotFound("Person not found")
    if not isinstance(work_date, date):
        raise ValidationFailed({"work_date": ["Not a valid date."]})
    daily = day_of(user.id, work_date)
    events = list(db.session.scalars(db.select(AttendanceEvent).where(
        AttendanceEvent.user_id == user.id, AttendanceEvent.work_date == work_date)
        .order_by(AttendanceEvent.occurred_at, AttendanceEvent.id)))
    leaves = list(db.session.scalars(db.select(LeaveRequest).where(
        LeaveRequest.user_id == user.id, LeaveRequest.start_date <= work_date, LeaveRequest.end_date >= work_date)
        .order_by(LeaveRequest.id)))
    leave = next((lv for lv in leaves if lv.status == "approved"), None) or \
        next((lv for lv in leaves if lv.status == "pending"), None)
    subjects = [("attendance_event", [e.id for e in events]), ("leave_request", [lv.id for lv in leaves])]
    if daily is not None:
        subjects.append(("daily_attendance", [daily.id]))
    clauses = [db.and_(AuditEntry.subject_type == kind, AuditEntry.subject_id.in_(ids)) for kind, ids in subjects if ids]
    history = list(db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.person_id == user.id, db.or_(*clauses)).order_by(AuditEntry.at, AuditEntry.id))) if clauses else []
    return DayView(user, work_date, resolution.resolve_day(user, work_date), daily, events, leave, history)
