"""Overtime (*lembur*): claims made at check-out, approved at once up to a limit, else reviewed.

Rules (the schedule's overtime fields, :class:`~app.schedules.models.WorkSchedule`):

- nothing is claimed when the schedule does not track overtime
  (``overtime_threshold_minutes`` None);
- on a working day: whole minutes worked after the scheduled end, plus — only when
  ``overtime_before_start`` — those before the scheduled start (counting an early
  arrival as overtime is what the schedule must ask for, never the default);
- on a day off or a holiday (also a rostered shift on a holiday): the whole day worked;
- a claim needs at least ``overtime_threshold_minutes``; it is approved at once when
  within ``overtime_auto_approve_minutes`` *and* both the check-in and the check-out
  were accepted as they are (not waiting for review), otherwise it waits in the review
  inbox; only ``approved_minutes`` count.

Law: overtime on a working day is at most 4 hours a day and 18 hours a week, not
counting work on the weekly rest day or a public holiday (PP 35/2021 art. 26(1)-(2),
implementing UU 13/2003 art. 78 as amended by UU 6/2023); it needs the employer's
order and the worker's consent, in writing or digitally (art. 28) — the review is that
record.  The auto-approve limit cannot exceed the daily 240 minutes
(:data:`app.schedules.services.MINUTE_FIELDS`); a longer claim is approved by a person,
who sees :attr:`ClaimView.over_daily_limit` / :attr:`ClaimView.week_minutes`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import selectinload

from ..common import clock
from ..common.errors import NotFound, RuleViolation, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from ..schedules import services as schedules
from .models import AttendanceEvent, DailyAttendance, OvertimeClaim

#: PP 35/2021 art. 26(1): overtime on a working day, at most 4 hours a day and 18 a week.
DAILY_LIMIT_MINUTES = 4 * 60
WEEKLY_LIMIT_MINUTES = 18 * 60


def _minutes(delta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def _verified(daily: DailyAttendance) -> bool:
    """Both events of the day stand as recorded (none waits for review)."""
    ids = [i for i in (daily.check_in_event_id, daily.check_out_event_id) if i is not None]
    pending = db.session.scalar(db.select(db.func.count(AttendanceEvent.id)).where(
        AttendanceEvent.id.in_(ids), AttendanceEvent.review_state == "pending"))
    return not pending


def evaluate_day(daily: DailyAttendance, schedule, *, holiday: bool = False) -> OvertimeClaim | None:
    """Make the day's overtime claim after its check-out (replacing an earlier one), or None.

    :param daily: a day with ``time_in`` and ``time_out`` (UTC).
    :param schedule: the schedule that judged the day (None: nothing is claimed).
    :param holiday: the date is a holiday (a rostered shift on it is holiday work too).
    """
    existing = db.session.scalar(db.select(OvertimeClaim).filter_by(daily_id=daily.id))
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    if schedule is None or schedule.overtime_threshold_minutes is None or daily.time_in is None \
            or daily.time_out is None:
        return None
    if daily.off_reason or holiday:
        reason = "holiday" if (holiday or daily.off_reason == "holiday") else "day_off"
        before, after = 0, _minutes(daily.time_out - daily.time_in)
    else:
        zone = clock.local_zone()
        reason = "extended"
        after = _minutes(daily.time_out - schedules.scheduled_end(schedule, daily.work_date, zone))
        before = _minutes(schedules.scheduled_start(schedule, daily.work_date, zone) - daily.time_in) \
            if schedule.overtime_before_start else 0
    minutes = before + after
    if minutes <= 0 or minutes < schedule.overtime_threshold_minutes:
        return None
    automatic = minutes <= schedule.overtime_auto_approve_minutes and _verified(daily)
    claim = OvertimeClaim(user_id=daily.user_id, work_date=daily.work_date, daily_id=daily.id,
                          schedule_id=schedule.id, reason=reason, minutes_before=before, minutes_after=after,
                          minutes=minutes, status="approved" if automatic else "pending",
                          approved_minutes=minutes if automatic else None)
    db.session.add(claim)
    db.session.flush()
    return claim


def discard_day(daily: DailyAttendance) -> None:
    """Remove the claim of a day whose check-in or check-out was rejected (its times are gone)."""
    claim = db.session.scalar(db.select(OvertimeClaim).filter_by(daily_id=daily.id))
    if claim is not None:
        db.session.delete(claim)
        db.session.flush()


# --- review -------------------------------------------------------------------------

def get_claim(claim_id: int) -> OvertimeClaim:
    """:raises NotFound: no claim with this id."""
    claim = db.session.get(OvertimeClaim, claim_id)
    if claim is None:
        raise NotFound(N_("Overtime claim not found"))
    return claim


def pending_claims_query():
    """Select statement of claims waiting for review, oldest day first."""
    return (db.select(OvertimeClaim).where(OvertimeClaim.status == "pending")
            .order_by(OvertimeClaim.work_date, OvertimeClaim.id))


def pending_claims_with_week_totals(*, limit: int) -> list[ClaimView]:
    """The first ``limit`` claims waiting for review (:func:`pending_claims_query`'s order, their
    day loaded), each with its ISO week's working-day overtime (:func:`with_week_totals`): two
    statements, three with the days."""
    stmt = pending_claims_query().options(selectinload(OvertimeClaim.daily)).limit(limit)
    return with_week_totals(db.session.scalars(stmt))


def pending_claim_count() -> int:
    """How many overtime claims wait for review."""
    return db.session.scalar(db.select(db.func.count()).select_from(OvertimeClaim)
                             .where(OvertimeClaim.status == "pending"))


def decide_claim(claim: OvertimeClaim, reviewer, *, approve: bool, minutes: int | None = None,
                 note: str | None = None) -> OvertimeClaim:
    """Approve (all the claimed minutes, or fewer) or reject a pending claim; the person is notified
    and the decision written to the audit trail (``overtime.approve`` / ``overtime.reject``).

    :param minutes: approved minutes, 1..``claim.minutes`` (default: all).
    :raises RuleViolation: the claim is not pending.
    :raises ValidationFailed: ``minutes`` out of range (``minutes``); a rejection without a
        note (``note``).
    """
    from ..audit.services import record
    from ..notify.services import notify

    if claim.status != "pending":
        raise RuleViolation(N_("This overtime claim has already been decided"))
    note = (note or "").strip() or None
    if approve:
        minutes = claim.minutes if minutes is None else minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= claim.minutes:
            raise ValidationFailed({"minutes": [N_("Approve between 1 minute and the minutes claimed.")]})
        claim.status, claim.approved_minutes = "approved", minutes
    else:
        if not note:
            raise ValidationFailed({"note": [N_("A reason is required to reject.")]})
        claim.status, claim.approved_minutes = "rejected", 0
    claim.decided_by_id = reviewer.id
    claim.decided_at = clock.now()
    claim.note = note
    record(reviewer, "overtime.approve" if approve else "overtime.reject", subject_type="overtime_claim",
           subject_id=claim.id, person=claim.user_id, before={"status": "pending", "minutes": claim.minutes},
           after={"status": claim.status, "minutes": claim.minutes, "approved_minutes": claim.approved_minutes,
                  "work_date": claim.work_date},
           reason=note, only_changes=False)
    day = claim.work_date.strftime("%d-%m-%Y")
    if approve:
        notify(claim.user, "overtime_review", N_("Your overtime was approved"),
               N_("Your overtime of %(day)s was approved: %(minutes)s minutes."), day=day, minutes=minutes)
    else:
        notify(claim.user, "overtime_review", N_("Your overtime was rejected"),
               N_("Your overtime of %(day)s was rejected: %(note)s"), day=day, note=note)
    db.session.flush()
    return claim


@dataclass(frozen=True)
class ClaimView:
    """A pending claim as a reviewer needs it: the ``claim``, the person's approved and
    pending overtime minutes on working days of that ISO week (``week_minutes``), and
    whether it is over the legal daily limit."""

    claim: OvertimeClaim
    week_minutes: int

    @property
    def over_daily_limit(self) -> bool:
        """A working-day claim over :data:`DAILY_LIMIT_MINUTES` (PP 35/2021 art. 26(1))."""
        return self.claim.reason == "extended" and self.claim.minutes > DAILY_LIMIT_MINUTES

    @property
    def over_weekly_limit(self) -> bool:
        """The week's working-day overtime, this claim included, over :data:`WEEKLY_LIMIT_MINUTES`."""
        return self.claim.reason == "extended" and self.week_minutes > WEEKLY_LIMIT_MINUTES


def with_week_totals(claims) -> list[ClaimView]:
    """``claims`` with their ISO week's working-day overtime (approved + pending), in one query."""
    claims = list(claims)
    if not claims:
        return []
    first = min(c.work_date for c in claims)
    last = max(c.work_date for c in claims)
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    rows = db.session.execute(
        db.select(OvertimeClaim.user_id, OvertimeClaim.work_date, OvertimeClaim.status, OvertimeClaim.minutes,
                  OvertimeClaim.approved_minutes)
        .where(OvertimeClaim.user_id.in_({c.user_id for c in claims}), OvertimeClaim.reason == "extended",
               OvertimeClaim.status != "rejected", OvertimeClaim.work_date.between(start, end))).all()
    totals: dict[tuple[int, date], int] = {}
    for row in rows:
        week = row.work_date - timedelta(days=row.work_date.weekday())
        counted = row.approved_minutes if row.status == "approved" else row.minutes
        totals[(row.user_id, week)] = totals.get((row.user_id, week), 0) + (counted or 0)
    return [ClaimView(c, totals.get((c.user_id, c.work_date - timedelta(days=c.work_date.weekday())), 0))
            for c in claims]


def approved_minutes(user_ids, start: date, end: date) -> dict[int, int]:
    """Approved overtime minutes per person for work days ``start``..``end`` (inclusive), one query."""
    ids = list(user_ids)
    if not ids:
        return {}
    return dict(db.session.execute(
        db.select(OvertimeClaim.user_id, db.func.sum(OvertimeClaim.approved_minutes))
        .where(OvertimeClaim.user_id.in_(ids), OvertimeClaim.status == "approved",
               OvertimeClaim.work_date.between(start, end))
        .group_by(OvertimeClaim.user_id)).all())
