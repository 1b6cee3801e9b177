"""The school's people in the web app: a teacher's roll call and the principal's school today.

- ``roll_call``: the classes the signed-in person may take the roll call of (a teacher: the
  classes they are homeroom teacher of; the principal and admins: every class), with today's
  counts; each links to the class's grid (:func:`.classes.class_today`).
- ``school_today``: the whole school today for its leads (principal, admin): every class's
  counts and every teacher's check-in.
"""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from ...accounts.roles import ROLL_CALL_ROLES, SCHOOL_LEAD_ROLES
from ...admin.access import roles_required
from ...common import clock
from ...extensions import db
from .. import services as school
from ..models import SchoolClass
from . import bp
from .classes import _counts


def _class_rows(classes: list[SchoolClass], day) -> list[tuple[SchoolClass, int, int]]:
    """``(class, enrolled, present)`` for each class on ``day``."""
    enrolled, present = _counts([c.id for c in classes], school.academic_year_of(day), day)
    return [(c, enrolled.get(c.id, 0), present.get(c.id, 0)) for c in classes]


@bp.get("/roll-call")
@roles_required(ROLL_CALL_ROLES)
def roll_call():
    """The classes whose roll call the signed-in person takes, with today's enrolled and present."""
    day = clock.local_today()
    if current_user.role in SCHOOL_LEAD_ROLES:
        classes = list(db.session.scalars(db.select(SchoolClass).order_by(SchoolClass.name)))
    else:
        classes = school.homeroom_classes(current_user)
    return render_template("school/roll_call.html", day=day, rows=_class_rows(classes, day))


@bp.get("/today")
@roles_required(SCHOOL_LEAD_ROLES)
def school_today():
    """The whole school today: every class (enrolled, present) and every teacher's check-in and
    check-out (principal and admins, as the school app's dashboard overview, contract 002)."""
    day = clock.local_today()
    classes = list(db.session.scalars(db.select(SchoolClass).order_by(SchoolClass.name)))
    rows = _class_rows(classes, day)
    return render_template("school/school_today.html", day=day, rows=rows,
                           enrolled=sum(r[1] for r in rows), present=sum(r[2] for r in rows),
                           teachers=school.teachers_today(day))
