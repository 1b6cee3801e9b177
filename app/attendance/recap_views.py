"""Admin pages of the month: one person's month and the monthly recap (*rekap absensi*) with its exports.

Routes (staff: admin and petugas):

- ``recap.person_month`` — ``/admin/attendance/people/<user_id>/month?month=YYYY-MM``: each day's
  shift, times, worked / late / early-leave minutes, overtime, status or leave, the events with
  their photo and map link, corrections with their reason, the month's totals.  The markup is the
  fragment ``attendance/_partials/person_month.html`` (context: ``month``, a
  :class:`~app.attendance.recap.PersonMonth`; ``month_link(first_day)`` and ``photo_link(event)``,
  two callables returning URLs or None), so any page may render it for any person;
- ``recap.event_photo`` — an attendance event's photo (never cached);
- ``recap.index`` — ``/admin/attendance/recap``, and ``recap.export`` — ``.xlsx``, ``.pdf``, ``.csv``.
"""
from __future__ import annotations

from flask import Blueprint, abort, request, send_file, url_for
from flask_babel import gettext as _

from ..accounts.models import User
from ..admin.access import staff_required
from ..admin.rendering import render
from ..common import clock
from ..common.errors import DomainError
from ..extensions import db
from . import recap
from .models import AttendanceEvent
from .photos import upload_root

bp = Blueprint("recap", __name__, url_prefix="/admin/attendance")


def _month_arg() -> tuple[int, int, str | None]:
    """``(year, month, error)`` from ``?month=YYYY-MM``; a bad value falls back to this month with a message."""
    try:
        year, month = recap.parse_month(request.args.get("month"))
        return year, month, None
    except DomainError:
        today = clock.local_today()
        return today.year, today.month, _("“%(value)s” is not a month; showing this month.",
                                          value=request.args.get("month", "")[:20])


def _month_link(user_id: int):
    return lambda first_day: url_for("recap.person_month", user_id=user_id, month=f"{first_day:%Y-%m}")


def _photo_link(event: AttendanceEvent) -> str | None:
    return url_for("recap.event_photo", event_id=event.id) if event.photo_path else None


@bp.get("/people/<int:user_id>/month")
@staff_required
def person_month(user_id: int):
    """One person's month (``?month=YYYY-MM``, default this month)."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    year, month, error = _month_arg()
    result = recap.person_month(user, year, month)
    return render("attendance/person_month.html", "attendance/_partials/person_month.html",
                  month=result, error=error, month_link=_month_link(user.id), photo_link=_photo_link)


@bp.get("/events/<int:event_id>/photo")
@staff_required
def event_photo(event_id: int):
    """The photo taken with an attendance event; 404 without one.  Never cached."""
    event = db.session.get(AttendanceEvent, event_id)
    if event is None or not event.photo_path:
        abort(404)
    root = upload_root().resolve()
    path = (root / event.photo_path).resolve()
    if root not in path.parents or not path.is_file():
        abort(404)
    response = send_file(path, max_age=0, conditional=False)
    response.headers["Cache-Control"] = "no-store, private"
    return response
