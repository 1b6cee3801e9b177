"""Contract 002 section 6: leave requests (izin, cuti, dinas luar, sakit).

Who sees what:

- everyone signed in asks for leave for themselves (``POST``);
- a student, teacher or employee lists and reads only their own leaves;
  another person's leave answers 404, exactly like a missing one;
- the principal (``kepsek``) and administrators see everyone's (filter
  ``user_id``) and review pending ones with ``PUT`` ``status`` =
  ``disetujui``/``ditolak`` (+ ``approval_comment``); nobody reviews their own
  (403); anyone else sending ``status`` gets 403;
- ``PUT`` without ``status`` edits the fields of one's own pending leave;
- ``DELETE`` withdraws one's own pending leave (administrators may delete
  anyone's pending leave); a reviewed leave stays (400).

Dates print as the contract does (``2025-04-06T00:00:00.000000Z``: the local
day at midnight, written as Laravel casts a date column).  ``approved_by``,
``approval_comment``, ``approved_at`` are the reviewer's id, comment and time
for approved *and* rejected leaves.
"""
from __future__ import annotations

from flask import g, request

from ...accounts.roles import SCHOOL_LEAD_ROLES
from ...common import clock
from ...common.errors import Conflict, NotFound, PermissionDenied, RuleViolation, ValidationFailed
from ...leave import services as leaves
from ...leave.balance import InsufficientLeaveBalance
from ...leave.models import LEAVE_TYPES, LeaveRequest
from . import envelope
from .auth import token_required
from .blueprint import bp
from ..laravel import paginate
from .validation import body, parse_int

#: Roles that see everyone's leave and review it (only the principal and admins approve leave).
REVIEWERS = SCHOOL_LEAD_ROLES
#: Contract status → code status, and back.
STATUS_IN = {"menunggu": "pending", "disetujui": "approved", "ditolak": "rejected"}
STATUS_OUT = {v: k for k, v in STATUS_IN.items()}
EDITABLE = ("leave_type", "start_date", "end_date", "reason", "attachment_path")

_MESSAGES = {
    "overlap": "Sudah ada pengajuan izin yang menunggu atau disetujui pada tanggal tersebut",
    "reviewed_review": "Pengajuan izin ini sudah diproses",
    "reviewed_change": "Pengajuan izin yang sudah diproses tidak dapat diubah",
    "reviewed_delete": "Pengajuan izin yang sudah diproses tidak dapat dihapus",
    "own_review": "Anda tidak dapat memproses pengajuan izin Anda sendiri",
    "not_found": "Pengajuan izin tidak ditemukan",
}


def _date(day) -> str:
    return day.strftime("%Y-%m-%dT00:00:00.000000Z")


def leave_json(leave: LeaveRequest) -> dict:
    """The contract's leave object."""
    return {
        "id": leave.id,
        "user_id": leave.user_id,
        "leave_type": leave.leave_type,
        "start_date": _date(leave.start_date),
        "end_date": _date(leave.end_date),
        "reason": leave.reason,
        "attachment_path": leave.attachment_path,
        "status": STATUS_OUT[leave.status],
        "approved_by": leave.reviewed_by_id,
        "approval_comment": leave.review_comment,
        "approved_at": clock.iso_utc(leave.reviewed_at),
        "created_at": clock.iso_utc(leave.created_at),
        "updated_at": clock.iso_utc(leave.updated_at),
    }


def _created_json(leave: LeaveRequest) -> dict:
    """``POST``'s answer: the contract prints the created row's fields in Laravel's insertion order."""
    data = leave_json(leave)
    keys = ("user_id", "leave_type", "start_date", "end_date", "reason", "attachment_path", "status",
            "updated_at", "created_at", "id")
    return {key: data[key] for key in keys}


def _is_reviewer() -> bool:
    return g.user.role in REVIEWERS


def _load(leave_id: int) -> LeaveRequest:
    """The leave if the caller may see it (owner or reviewer); otherwise 404 (never reveal another's)."""
    leave = leaves.get_leave(leave_id)
    if leave is None or (leave.user_id != g.user.id and not _is_reviewer()):
        raise NotFound(_MESSAGES["not_found"])
    return leave


def _translate(exc, when: str):
    """A service refusal with the dialect's wording (same status class)."""
    if isinstance(exc, InsufficientLeaveBalance):
        return RuleViolation(f"Sisa cuti tahunan {exc.year} tidak cukup: sisa {exc.remaining} hari, "
                             f"diminta {exc.requested} hari", field=exc.field)
    if isinstance(exc, Conflict):
        return Conflict(_MESSAGES["overlap"], field=exc.field)
    if isinstance(exc, RuleViolation):
        return RuleViolation(_MESSAGES["reviewed_" + when])
    if isinstance(exc, PermissionDenied):
        return PermissionDenied(_MESSAGES["own_review"] if when == "review" else "Akses ditolak")
    return exc


@bp.get("/leaves")
@token_required()
def list_leaves():
    """Leaves, newest first, in Laravel's paginator.

    Query (all optional): ``status`` (menunggu|disetujui|ditolak), ``leave_type``,
    ``start_date``/``end_date`` (YYYY-MM-DD; leaves overlapping the window),
    ``user_id`` (principal and admins only; ignored for others, who always see
    only their own), ``page``, ``per_page`` (1..100, default 15).  A bad value → 422 naming it.
    """
    errors: dict[str, list[str]] = {}
    filters: dict = {}
    status = request.args.get("status")
    if status not in (None, ""):
        if status not in STATUS_IN:
            errors["status"] = ["The selected status is invalid."]
        else:
            filters["status"] = STATUS_IN[status]
    leave_type = request.args.get("leave_type")
    if leave_type not in (None, ""):
        if leave_type not in LEAVE_TYPES:
            errors["leave_type"] = ["The selected leave type is invalid."]
        else:
            filters["leave_type"] = leave_type
    for field in ("start_date", "end_date"):
        raw = request.args.get(field)
        if raw not in (None, ""):
            try:
                filters[field] = leaves.parse_date(raw, field)
            except ValidationFailed as exc:
                errors.update(exc.errors)
    if "start_date" in filters and "end_date" in filters and filters["end_date"] < filters["start_date"]:
        errors["end_date"] = ["The end date must be a date after or equal to start date."]
    if _is_reviewer():
        raw = request.args.get("user_id")
        if raw not in (None, ""):
            user_id = parse_int(raw)
            if user_id is None or user_id < 1:
                errors["user_id"] = ["The user id must be an integer."]
            else:
                filters["user_id"] = user_id
    else:
        filters["user_id"] = g.user.id
    if errors:
        raise ValidationFailed(errors)
    return envelope.ok("Data pengajuan izin berhasil diambil", paginate(leaves.leaves_query(**filters), leave_json))


@bp.post("/leaves")
@token_required()
def create_leave():
    """Ask for leave for oneself (201, status ``menunggu``).

    Body: ``leave_type`` (izin|cuti|dinas_luar|sakit), ``start_date``, ``end_date``
    (YYYY-MM-DD, end ≥ start, ≤ 366 days), ``reason`` (≤ 2000 chars),
    ``attachment_path`` (optional storage-relative path).  Bad field → 422;
    overlapping pending/approved leave → 409.
    """
    data = body()
    try:
        leave = leaves.create_leave(g.user, data.get("leave_type"), data.get("start_date"), data.get("end_date"),
                                    data.get("reason"), data.get("attachment_path"))
    except (Conflict, RuleViolation, PermissionDenied) as exc:
        raise _translate(exc, "change") from None
    return envelope.ok("Pengajuan izin berhasil dibuat", _created_json(leave), status=201)


@bp.get("/leaves/<int:leave_id>")
@token_required()
def show_leave(leave_id: int):
    """One leave: its owner, the principal or an administrator; others 404."""
    return envelope.ok("Data pengajuan izin berhasil diambil", leave_json(_load(leave_id)))


@bp.put("/leaves/<int:leave_id>")
@token_required()
def update_leave(leave_id: int):
    """Review (``status`` given) or edit (no ``status``) a leave.

    Review, principal and administrators only (others 403): ``status``
    ``disetujui``/``ditolak``, optional ``approval_comment`` (≤ 2000 chars); other
    keys are ignored; the requester is notified; a reviewed leave → 400; one's own → 403.
    Edit, the owner of a pending leave only: any of ``leave_type``, ``start_date``,
    ``end_date``, ``reason``, ``attachment_path`` (same rules as ``POST``).
    """
    leave = _load(leave_id)
    data = body()
    if "status" in data:
        if not _is_reviewer():
            raise PermissionDenied("Akses ditolak")
        status = data.get("status")
        if status not in ("disetujui", "ditolak"):
            raise ValidationFailed({"status": ["The selected status is invalid."]})
        try:
            leaves.review_leave(leave, g.user, status == "disetujui", data.get("approval_comment"))
        except (Conflict, RuleViolation, PermissionDenied) as exc:
            raise _translate(exc, "review") from None
        return envelope.ok("Status pengajuan izin berhasil diperbarui", leave_json(leave))
    if leave.user_id != g.user.id:
        raise PermissionDenied("Akses ditolak")
    values = {key: data[key] for key in EDITABLE if key in data}
    if not values:
        raise ValidationFailed({"status": ["The status field is required."]} if _is_reviewer() else
                               {"reason": ["At least one of leave type, start date, end date, reason, "
                                           "attachment path is required."]})
    try:
        leaves.update_leave(leave, g.user, **values)
    except (Conflict, RuleViolation, PermissionDenied) as exc:
        raise _translate(exc, "change") from None
    return envelope.ok("Pengajuan izin berhasil diperbarui", leave_json(leave))


@bp.delete("/leaves/<int:leave_id>")
@token_required()
def delete_leave(leave_id: int):
    """Withdraw one's own pending leave; administrators may delete any pending leave.
    The principal cannot delete another's (403); a reviewed leave → 400."""
    leave = _load(leave_id)
    try:
        leaves.delete_leave(leave, g.user, is_admin=g.user.role == "admin")
    except (RuleViolation, PermissionDenied) as exc:
        raise _translate(exc, "delete") from None
    return envelope.ok("Pengajuan izin berhasil dihapus")
