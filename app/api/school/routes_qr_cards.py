"""Contract 002 section 9: student QR cards (teachers, the principal and administrators).

A card's ``qr_code`` is random and unguessable (16 upper-case hex characters);
a student has at most one active card: generating a new one, or activating an
old one, deactivates the other in the same transaction.  Scanning an inactive
card (``POST /api/student-attendance/scan-qr``) is refused.

``GET /api/student-qr-cards`` answers the contract's bare array; with ``page``
or ``per_page`` in the query it answers Laravel's paginator instead (for
schools with many students).  Filters: ``student_id``, ``is_active``.
"""
from __future__ import annotations

from flask import g, request

from ...accounts.roles import SCHOOL_STAFF_ROLES, STUDENT_ROLES
from ...accounts.services import get_user
from ...common import clock
from ...common.errors import Conflict, NotFound, ValidationFailed
from ...extensions import db
from ...school import queries, services as school
from ...school.models import StudentQrCard
from . import envelope
from .auth import token_required
from .blueprint import bp
from ..laravel import paginate
from .serializers import user as user_json
from .validation import Checker, body, parse_bool, parse_int


def card_json(card: StudentQrCard) -> dict:
    """The contract's card object with its ``student`` user object."""
    return {
        "id": card.id,
        "student_id": card.student_id,
        "qr_code": card.qr_code,
        "is_active": bool(card.is_active),
        "generated_at": clock.iso_utc(card.generated_at),
        "created_at": clock.iso_utc(card.created_at),
        "updated_at": clock.iso_utc(card.updated_at),
        "student": user_json(card.student) if card.student is not None else None,
    }


def _load(card_id: int) -> StudentQrCard:
    card = queries.find_card(card_id)
    if card is None:
        raise NotFound("QR card tidak ditemukan")
    return card


@bp.get("/student-qr-cards")
@token_required(*SCHOOL_STAFF_ROLES)
def list_qr_cards():
    """Cards ordered by id; ``?student_id=``, ``?is_active=``; paginated when ``page``/``per_page`` is given."""
    errors, filters = {}, {}
    raw = request.args.get("student_id")
    if raw not in (None, ""):
        number = parse_int(raw)
        if number is None:
            errors["student_id"] = ["The student id must be an integer."]
        else:
            filters["student_id"] = number
    raw = request.args.get("is_active")
    if raw not in (None, ""):
        flag = parse_bool(raw)
        if flag is None:
            errors["is_active"] = ["The is active field must be true or false."]
        else:
            filters["is_active"] = flag
    if errors:
        raise ValidationFailed(errors)
    stmt = queries.cards_query(**filters)
    if "page" in request.args or "per_page" in request.args:
        return envelope.ok(data=paginate(stmt, card_json))
    return envelope.ok(data=[card_json(c) for c in db.session.scalars(stmt)])


@bp.get("/student-qr-cards/<int:card_id>")
@token_required(*SCHOOL_STAFF_ROLES)
def show_qr_card(card_id: int):
    """One card; unknown id → 404."""
    return envelope.ok(data=card_json(_load(card_id)))


@bp.post("/student-qr-cards/generate")
@token_required(*SCHOOL_STAFF_ROLES)
def generate_qr_card():
    """A new active card for ``student_id`` (201); the student's previous active card is deactivated."""
    check = Checker(body())
    check.integer("student_id", required=True)
    values = check.done()
    try:
        student = get_user(values["student_id"])
    except NotFound:
        student = None
    if student is None or student.role not in STUDENT_ROLES:
        raise ValidationFailed({"student_id": ["The selected student id is invalid."]})
    try:
        card = school.generate_card(student, actor=g.user)
    except Conflict:
        return envelope.fail("QR card siswa sedang dibuat oleh permintaan lain, silakan coba lagi", 409)
    return envelope.ok("QR card baru berhasil di-generate", card_json(card), status=201)


@bp.put("/student-qr-cards/<int:card_id>/status")
@token_required(*SCHOOL_STAFF_ROLES)
def update_qr_card_status(card_id: int):
    """Set ``is_active`` (required boolean); activating deactivates the student's other active card."""
    card = _load(card_id)
    data = body()
    check = Checker(data)
    if "is_active" not in data or data["is_active"] is None:
        check.fail("is_active", "The is active field is required.")
    else:
        check.boolean("is_active")
    values = check.done()
    try:
        school.set_card_status(card, values["is_active"], actor=g.user)
    except Conflict:
        return envelope.fail("QR card siswa sedang diubah oleh permintaan lain, silakan coba lagi", 409)
    return envelope.ok("Status QR card berhasil diperbarui", card_json(card))
