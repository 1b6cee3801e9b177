"""The review inbox's "face enrolments" section: first face photos waiting for an admin.

Registered with :mod:`app.review` (order 15, just after the flagged check-ins).  Each
pending :class:`~.models.FaceEnrolmentRequest` is shown with the person's name, the
photo that would become their face, and the check-ins held with it (with their own
photos, to compare); an admin approves (the photo becomes the person's face, the
check-ins stand) or rejects with a reason (both go), in place with htmx
(:func:`app.faces.enrolment_requests.decide`).  A petugas sees the section without
photos and without buttons: enrolling faces is an administrator's decision, as on
the face pages (:mod:`.views`).

Routes (under the inbox): ``POST /admin/attendance/review/face-enrolments/<id>/approve``,
``.../<id>/reject`` (``note`` required), ``GET .../<id>/photo`` and
``GET .../<id>/check-ins/<event_id>/photo`` (admins only, never cached).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, send_from_directory
from flask_babel import gettext as _
from flask_login import current_user

from ..admin.access import admin_required, is_admin
from ..attendance.models import AttendanceEvent
from ..common.errors import NotFound
from ..extensions import db
from ..review import OpenDecision, ReviewSection, decide, register_section
from . import enrolment_requests
from .forms import ConfirmForm, RejectEnrolmentForm
from .models import FaceEnrolmentRequest
from .views import photo_size

bp = Blueprint("face_review", __name__, url_prefix="/admin/attendance/review/face-enrolments")

#: Requests shown at once (oldest first; the total is shown with them).
LIMIT = 25
#: The section's item kind in :class:`~app.review.OpenDecision`.
ITEM = "face_enrolment"


def _face_focus(row: FaceEnrolmentRequest) -> str:
    """CSS ``object-position`` that keeps the detected face in view when the photo is cropped
    to its thumbnail (the face box's centre, in percent of the photo); the centre when the
    photo's size cannot be read."""
    size = photo_size(row.photo_path)
    if not size or not size[0] or not size[1]:
        return "50% 50%"
    x = (row.box_left + row.box_right) / 2 / size[0] * 100
    y = (row.box_top + row.box_bottom) / 2 / size[1] * 100
    return f"{min(100.0, max(0.0, x)):.1f}% {min(100.0, max(0.0, y)):.1f}%"


def _load(state) -> dict:
    """The section's variables: ``enrolments`` (oldest first, at most :data:`LIMIT`), ``held``
    (request id → its waiting check-ins), ``focus`` (request id → the photo's
    ``object-position``), ``enrolment_total``, ``can_decide_enrolments`` (admins)."""
    requests = list(db.session.scalars(enrolment_requests.pending_requests_query().limit(LIMIT)))
    can_decide = is_admin(state.user)
    return {"enrolments": requests,
            "held": {r.id: enrolment_requests.held_events(r) for r in requests},
            "focus": {r.id: _face_focus(r) for r in requests} if can_decide else {},
            "enrolment_total": enrolment_requests.pending_request_count(),
            "can_decide_enrolments": can_decide}


register_section(ReviewSection(key="face-enrolments", order=15, template="faces/_partials/review_enrolments.html",
                               load=_load, count=enrolment_requests.pending_request_count))


def _request(request_id: int) -> FaceEnrolmentRequest:
    try:
        return enrolment_requests.get_request(request_id)
    except NotFound:
        abort(404)


def _photo(relative_path: str | None):
    if not relative_path:
        abort(404)
    response = send_from_directory(current_app.config["UPLOAD_FOLDER"], relative_path, max_age=0, conditional=False)
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.post("/<int:request_id>/approve")
@admin_required
def approve(request_id: int):
    """Approve: the photo becomes the person's face sample, the check-ins held with it stand,
    the person is notified."""
    row = _request(request_id)
    form = ConfirmForm()
    return decide(form, OpenDecision(ITEM, request_id, "approve", form),
                  lambda: enrolment_requests.decide(row, current_user._get_current_object(), approve=True),
                  lambda: _("The face of %(name)s was enrolled; their check-ins stand.", name=row.user.name))


@bp.post("/<int:request_id>/reject")
@admin_required
def reject(request_id: int):
    """Reject with a reason (shown next to the field when missing): the photo is not enrolled and
    the check-ins held with it are rejected; the person is notified with the reason."""
    row = _request(request_id)
    form = RejectEnrolmentForm()
    return decide(form, OpenDecision(ITEM, request_id, "reject", form),
                  lambda: enrolment_requests.decide(row, current_user._get_current_object(), approve=False,
                                                    note=form.note.data),
                  lambda: _("The face photo of %(name)s was rejected, with their check-ins.", name=row.user.name))


@bp.get("/<int:request_id>/photo")
@admin_required
def photo(request_id: int):
    """The pending photo (admins only; never cached, never from ``/static``)."""
    return _photo(_request(request_id).photo_path)


@bp.get("/<int:request_id>/check-ins/<int:event_id>/photo")
@admin_required
def check_in_photo(request_id: int, event_id: int):
    """The photo of a check-in held with the request (admins only, never cached)."""
    row = _request(request_id)
    event = db.session.get(AttendanceEvent, event_id)
    if event is None or event.user_id != row.user_id or event.source != "face":
        abort(404)
    return _photo(event.photo_path)
