"""The school's people in the web app: a teacher's roll call and class months, the principal's
school today and teachers' recap.

- ``roll_call``: the classes the signed-in person may take the roll call of (a teacher: the
  classes they are homeroom teacher of; the principal and admins: every class), with today's
  counts; each links to the class's grid (:func:`.classes.class_today`) and its month;
- ``class_month``: a class's month (``?month=YYYY-MM``), each student's days and figures
  (:func:`app.school.month.class_month`), for whoever may take the class's roll call (another
  teacher's class: 403);
- ``school_today``: the whole school today for its leads (principal, admin): every class's
  counts and every teacher's check-in;
- ``teachers_recap``: the month recap of the school's teachers for its leads
  (:func:`app.attendance.recap.build_recap`, contract 002: the principal's overview).
"""
from __future__ import annotations

from flask import render_template, url_for
from flask_login import current_user

from ...accounts.roles import ROLL_CALL_ROLES, SCHOOL_LEAD_ROLES
from ...admin.access import roles_required
from ...attendance import recap
from ...attendance.recap_views import month_arg
from ...common import clock
from ...common.months import month_after, month_before
from .. import queries, services as school
from ..models import SchoolClass
from ..month import class_month as build_class_month
from . import bp
from .classes import _load_for_roll_call


def _class_rows(classes: list[SchoolClass], day) -> list[tuple[SchoolClass, int, int]]:
    """``(class, enrolled, present)`` for each class on ``day``."""
    enrolled, present = queries.class_counts([c.id for c in classes], school.academic_year_of(day), day)
    return [(c, enrolled.get(c.id, 0), present.get(c.id, 0)) for c in classes]


@bp.get("/roll-call")
@roles_required(ROLL_CALL_ROLES)
def roll_call():
    """The classes whose roll call the signed-in person takes, with today's enrolled and present."""
    day = clock.local_today()
    if current_user.role in SCHOOL_LEAD_ROLES:
        classes = queries.list_classes()
    else:
        classes = school.homeroom_classes(current_user)
    return render_template("school/roll_call.html", day=day, rows=_class_rows(classes, day))


@bp.get("/today")
@roles_required(SCHOOL_LEAD_ROLES)
def school_today():
    """The whole school today: every class (enrolled, present) and every teacher's check-in and
    check-out (principal and admins, as the school app's dashboard overview, contract 002)."""
    day = clock.local_today()
    classes = queries.list_classes()
    rows = _class_rows(classes, day)
    return render_template("school/school_today.html", day=day, rows=rows,
                           enrolled=sum(r[1] for r in rows), present=sum(r[2] for r in rows),
                           teachers=school.teachers_today(day))


@bp.get("/classes/<int:class_id>/month")
@roles_required(ROLL_CALL_ROLES)
def class_month(class_id: int):
    """A class's month (``?month=YYYY-MM``, this month by default): each enrolled student's days
    (present, late, sick, permitted, absent, off) and their counts; the principal and admins: any
    class, a teacher: their own classes (else 403)."""
    school_class = _load_for_roll_call(class_id)
    year, month, error = month_arg()
    result = build_class_month(school_class, year, month)
    return render_template("school/class_month.html", month=result, error=error,
                           codes=("present", "late", "sakit", "izin", "absent"),
                           **_month_links("school_admin.class_month", result.start, class_id=school_class.id))


@bp.get("/teachers/recap")
@roles_required(SCHOOL_LEAD_ROLES)
def teachers_recap():
    """The month recap (``?month=YYYY-MM``) of the school's active teachers (principal and admins):
    each teacher's days and counts as the monthly recap classifies them."""
    year, month, error = month_arg()
    result = recap.build_recap(queries.recap_teachers(), year, month)
    return render_template("school/teachers_recap.html", month=result, error=error,
                           codes=("present", "late", "izin", "sakit", "cuti", "dinas_luar", "absent"),
                           **_month_links("school_admin.teachers_recap", result.start))


def _month_links(endpoint: str, start, **values) -> dict:
    """``previous_url`` and ``next_url``: the same page a month before and after the month of ``start``."""
    return {"previous_url": url_for(endpoint, month=f"{month_before(start):%Y-%m}", **values),
            "next_url": url_for(endpoint, month=f"{month_after(start):%Y-%m}", **values)}
