"""A class's month: each enrolled student's days, as the month recap classifies them, with the
teacher's roll-call marks (sick, permitted, absent) on the days nothing else was recorded.

The day rules are the recap's (:func:`app.attendance.recap.classify_days`: a check-in, a
presence the teacher recorded, an approved leave, else the schedule); a student's
:class:`~.models.StudentAbsence` of a day the recap calls ``absent`` or ``not_yet`` turns it into
``sakit`` (sick), ``izin`` (permitted) or stays ``absent`` — the teacher's mark explains an
absence, it never outweighs a presence or an approved leave (contract 002 section 5: teachers
record their students).  The figures per student are the recap's
(:func:`~app.attendance.recap.totals_of`).  The students' leave requests touching the month (any
status) are listed with it, for the homeroom teacher to follow (the principal decides them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from ..attendance.recap import MonthSteps, PersonDay, Totals, classify_days, month_range, totals_of
from ..extensions import db
from ..leave.models import LeaveRequest
from .models import SchoolClass, StudentAbsence
from .services import academic_year_of, class_students

#: The roll call's reason of a mark → the status of the day in the recap's terms.
MARK_STATUS = {"sick": "sakit", "permitted": "izin", "absent": "absent"}
#: Day statuses a teacher's mark may explain (nothing else was recorded on the day).
UNEXPLAINED = ("absent", "not_yet")


@dataclass
class StudentMonth:
    """One student's line: ``user`` (the student), ``days`` (:class:`PersonDay` per date, marks
    applied), ``totals`` (:class:`Totals`: present (late included), late, sakit, izin, absent ...)."""

    user: object
    days: list[PersonDay]
    totals: Totals


@dataclass
class ClassMonth(MonthSteps):
    """A class's month: ``school_class``, ``start``/``end`` (local dates), ``dates``, ``rows``
    (:class:`StudentMonth`, by name), ``totals`` (the class's) and ``academic_year`` (first
    calendar year of the school year whose enrolment is shown), ``leave_requests`` (the students'
    :class:`~app.leave.models.LeaveRequest` overlapping the month, any status, newest first); the months
    around it: ``previous_month`` / ``next_month`` (:class:`~app.attendance.recap.MonthSteps`)."""

    school_class: SchoolClass
    start: date
    end: date
    dates: list[date]
    rows: list[StudentMonth]
    totals: Totals
    academic_year: int
    leave_requests: list = field(default_factory=list)


def _marks(student_ids: list[int], start: date, end: date) -> dict[tuple[int, date], str]:
    if not student_ids:
        return {}
    rows = db.session.execute(db.select(StudentAbsence.student_id, StudentAbsence.date, StudentAbsence.kind).where(
        StudentAbsence.student_id.in_(student_ids), StudentAbsence.date.between(start, end)))
    return {(student_id, day): kind for student_id, day, kind in rows}


def class_month(school_class: SchoolClass, year: int, month: int, *, today: date | None = None) -> ClassMonth:
    """The month (``year``, ``month``) of the students enrolled in ``school_class`` in the academic
    year of the month's first day.  Eleven SQL statements whatever the class size (the recap's
    nine, the marks and the leave requests).

    :raises ValidationFailed: ``{"month": ...}`` for a month outside 2000..2100.
    """
    start, end = month_range(year, month)
    academic_year = academic_year_of(start)
    students = class_students(school_class, academic_year)
    classified = classify_days(students, start, end, today=today)
    marks = _marks([s.id for s in students], start, end)
    rows, everyone = [], Totals()
    for student in students:
        days = []
        for day in classified[student.id]:
            kind = marks.get((student.id, day.work_date)) if day.status in UNEXPLAINED else None
            days.append(day._replace(status=MARK_STATUS[kind]) if kind else day)
        totals = totals_of(days)
        everyone.add(totals)
        rows.append(StudentMonth(student, days, totals))
    dates = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    leaves = list(db.session.scalars(db.select(LeaveRequest).where(
        LeaveRequest.user_id.in_([s.id for s in students]), LeaveRequest.start_date <= end,
        LeaveRequest.end_date >= start).order_by(LeaveRequest.created_at.desc(), LeaveRequest.id.desc()))) \
        if students else []
    return ClassMonth(school_class, start, end, dates, rows, everyone, academic_year, leaves)
