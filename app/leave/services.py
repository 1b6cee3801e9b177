"""Leave requests: asking, listing, reviewing, editing and withdrawing (contract 002, section 6).

Dates are the organisation's local calendar dates, inclusive at both ends
(``start_date == end_date`` is one day).  Statuses in code are
``pending``/``approved``/``rejected`` (the school dialect prints
``menunggu``/``disetujui``/``ditolak``).  Services only flush; the request
boundary commits (DESIGN.md, "One commit per request").

Rules (contract 002 section 6, leave types and statuses):

- a person may not hold two pending/approved leaves whose dates overlap
  (:class:`~app.common.errors.Conflict`);
- only a pending leave is reviewed, edited by its owner or deleted; a
  reviewed leave is history and stays;
- the requester's approvers are notified of a new request (:mod:`.approvers`), the requester
  of the review (:func:`app.notify.services.notify`);
- annual leave (``cuti``) of staff may not exceed the year's balance, neither when asked,
  edited nor approved (:mod:`.balance`, :class:`~.balance.InsufficientLeaveBalance`).
"""
from __future__ import annotations

from contextlib import suppress

import re
from datetime import date

from sqlalchemy.orm import selectinload

from ..common import clock
from ..common.errors import Conflict, NotFound, PermissionDenied, RuleViolation, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from .balance import check_annual_balance, uses_annual_leave
from .models import LEAVE_TYPES, LeaveRequest

#: Longest leave, in days counted inclusively (one calendar year, leap day included).
MAX_SPAN_DAYS = 366
#: Longest reason / review comment, characters.
MAX_REASON_LENGTH = 2000
#: Longest attachment path, characters (the column's size).
MAX_ATTACHMENT_LENGTH = 255
#: States that block another leave on the same days.
ACTIVE_STATUSES = ("pending", "approved")

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value, field: str) -> date:
    """A ``YYYY-MM-DD`` string (or a :class:`date`) as a date.

    :raises ValidationFailed: anything else, naming ``field``.
    """
    if isinstance(value, date):
        return value
    parsed = None
    if isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
        with suppress(ValueError):  # 2025-02-30 has the shape but is no date
            parsed = date.fromisoformat(value.strip())
    if parsed is not None:
        return parsed
    raise ValidationFailed({field: [f"The {field.replace('_', ' ')} does not match the format Y-m-d."]})


def _check_attachment(path) -> str | None:
    """A storage-relative path (``leaves/surat.pdf``) or None; no absolute paths, ``..``, URLs or control chars."""
    if path is None:
        return None
    if not isinstance(path, str):
        raise ValidationFailed({"attachment_path": ["The attachment path must be a string."]})
    path = path.strip()
    if not path:
        return None
    if len(path) > MAX_ATTACHMENT_LENGTH:
        raise ValidationFailed({"attachment_path": [
            f"The attachment path may not be greater than {MAX_ATTACHMENT_LENGTH} characters."]})
    parts = re.split(r"[\\/]", path)
    if (path.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", path) or "://" in path
            or any(p in ("..", ".") for p in parts) or any(ord(c) < 32 or ord(c) == 127 for c in path)):
        raise ValidationFailed({"attachment_path": ["The attachment path must be a relative path inside storage."]})
    return path


def _clean(values: dict, *, partial: bool) -> dict:
    """Validate leave fields (all of them when not ``partial``); returns the given keys cleaned.

    :raises ValidationFailed: every bad field at once.
    """
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    if "leave_type" in values or not partial:
        if values.get("leave_type") not in LEAVE_TYPES:
            errors["leave_type"] = [N_("The selected leave type is invalid.")] if values.get("leave_type") else \
                ["The leave type field is required."]
        else:
            clean["leave_type"] = values["leave_type"]
    for field in ("start_date", "end_date"):
        if field in values or not partial:
            raw = values.get(field)
            if raw in (None, ""):
                errors[field] = [f"The {field.replace('_', ' ')} field is required."]
                continue
            try:
                clean[field] = parse_date(raw, field)
            except ValidationFailed as exc:
                errors.update(exc.errors)
    if "reason" in values or not partial:
        reason = values.get("reason")
        if reason is not None and not isinstance(reason, str):
            errors["reason"] = ["The reason must be a string."]
        elif not (reason or "").strip():
            errors["reason"] = ["The reason field is required."]
        elif len(reason.strip()) > MAX_REASON_LENGTH:
            errors["reason"] = [N_("The reason may not be greater than 2000 characters.")]
        else:
            clean["reason"] = reason.strip()
    if "attachment_path" in values:
        try:
            clean["attachment_path"] = _check_attachment(values["attachment_path"])
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return clean


def _check_span(start: date, end: date) -> None:
    if end < start:
        raise ValidationFailed({"end_date": [N_("The end date must be a date after or equal to start date.")]})
    if (end - start).days + 1 > MAX_SPAN_DAYS:
        raise ValidationFailed({"end_date": [N_("The leave may not be longer than 366 days.")]})


def _check_overlap(user_id: int, start: date, end: date, exclude_id: int | None = None) -> None:
    stmt = db.select(LeaveRequest.id).where(
        LeaveRequest.user_id == user_id, LeaveRequest.status.in_(ACTIVE_STATUSES),
        LeaveRequest.start_date <= end, LeaveRequest.end_date >= start)
    if exclude_id is not None:
        stmt = stmt.where(LeaveRequest.id != exclude_id)
    if db.session.scalar(stmt.limit(1)) is not None:
        raise Conflict("A pending or approved leave already covers some of these dates", field="start_date")


def create_leave(user, leave_type: str, start_date, end_date, reason: str,
                 attachment_path: str | None = None) -> LeaveRequest:
    """Ask for leave for ``user`` (status ``pending``).

    :param leave_type: one of :data:`~.models.LEAVE_TYPES` (izin, cuti, dinas_luar, sakit).
    :param start_date: first day, ``YYYY-MM-DD`` or a date (local calendar).
    :param end_date: last day, inclusive; not before ``start_date``; the span is at
        most :data:`MAX_SPAN_DAYS` days.
    :param reason: required text, at most :data:`MAX_REASON_LENGTH` characters.
    :param attachment_path: optional storage-relative path (no ``..``, no absolute path).
    :raises ValidationFailed: a bad field (keyed by field name).
    :raises Conflict: ``user`` already has a pending/approved leave overlapping these dates.
    :raises InsufficientLeaveBalance: annual leave (``cuti``) beyond a year's balance
        (:func:`.balance.check_annual_balance`).
    """
    clean = _clean({"leave_type": leave_type, "start_date": start_date, "end_date": end_date,
                    "reason": reason, "attachment_path": attachment_path}, partial=False)
    _check_span(clean["start_date"], clean["end_date"])
    _check_overlap(user.id, clean["start_date"], clean["end_date"])
    if uses_annual_leave(user, clean["leave_type"]):
        check_annual_balance(user, clean["start_date"], clean["end_date"])
    leave = LeaveRequest(user_id=user.id, status="pending", **clean)
    db.session.add(leave)
    db.session.flush()
    _notify_approvers(leave, user)
    return leave


def record_approved_leave(user, leave_type: str, start_date: date, end_date: date, reason: str, approver,
                          *, comment: str | None = None) -> LeaveRequest:
    """Record leave decided by staff (an admin's correction of a day), approved at once by ``approver``.

    Stored as a :class:`LeaveRequest` like any other, so every report counts it as its type.
    The caller writes the audit entry (it knows why).

    :param reason: the leave's own text (e.g. the sick note), required.
    :param comment: the approver's comment (the correction's reason).
    :raises ValidationFailed: a bad field (keyed by field name), as :func:`create_leave`.
    :raises Conflict: a pending or approved leave of ``user`` already covers some of these dates.
    """
    clean = _clean({"leave_type": leave_type, "start_date": start_date, "end_date": end_date,
                    "reason": reason, "attachment_path": None}, partial=False)
    _check_span(clean["start_date"], clean["end_date"])
    _check_overlap(user.id, clean["start_date"], clean["end_date"])
    leave = LeaveRequest(user_id=user.id, status="approved", reviewed_by_id=approver.id, reviewed_at=clock.now(),
                         review_comment=(comment or "").strip() or None, **clean)
    db.session.add(leave)
    db.session.flush()
    return leave


def _dates_text(leave: LeaveRequest) -> str:
    dates = leave.start_date.strftime("%d-%m-%Y")
    if leave.end_date != leave.start_date:
        dates += " – " + leave.end_date.strftime("%d-%m-%Y")
    return dates


def _kind_text(leave_type: str) -> str:
    """The leave type's name in the organisation's language (notifications are stored translated)."""
    from flask import current_app
    from flask_babel import force_locale, gettext

    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "id")):
        return gettext(_TYPE_LABELS[leave_type])


def _notify_approvers(leave: LeaveRequest, user) -> None:
    """Tell each of the requester's approvers (:func:`.approvers.approvers_of`) that a request waits."""
    from ..notify.services import notify
    from .approvers import approvers_of

    for approver in approvers_of(user):
        notify(approver, "leave_request", N_("New leave request"),
               N_("%(name)s asks for %(kind)s on %(dates)s."), data={"leave_id": leave.id},
               name=user.name, kind=_kind_text(leave.leave_type), dates=_dates_text(leave))


def request_leave(user, leave_type: str, start_date, end_date, reason: str,
                  attachment: bytes | None = None) -> LeaveRequest:
    """Ask for leave from the web app: :func:`create_leave` with an uploaded file kept with it.

    :param attachment: the file's bytes (a photo or PDF, :func:`.attachments.check_attachment`), or None.
    :raises ValidationFailed: a bad field, or (``attachment``) a file that is no photo or PDF or too big.
    :raises Conflict: overlapping leave; :raises InsufficientLeaveBalance: beyond the annual balance.
    """
    from .attachments import check_attachment, store_attachment

    extension = check_attachment(attachment) if attachment else None
    leave = create_leave(user, leave_type, start_date, end_date, reason)
    if extension:
        leave.attachment_path = store_attachment(attachment, extension, leave)
        db.session.flush()
    return leave


def cancel_leave(leave: LeaveRequest, user) -> None:
    """The requester withdraws their pending ``leave`` (the web app's "cancel").

    :raises PermissionDenied: ``user`` is not the requester.
    :raises RuleViolation: the leave was already reviewed.
    """
    if leave.user_id != user.id:
        raise PermissionDenied("Only the requester may cancel a leave request")
    delete_leave(leave, user)


def leaves_query(*, user_id: int | None = None, status: str | None = None, leave_type: str | None = None,
                 start_date: date | None = None, end_date: date | None = None):
    """Select statement of leave requests, newest first.

    :param user_id: only this person's.
    :param status: ``pending``/``approved``/``rejected``.
    :param leave_type: one of :data:`~.models.LEAVE_TYPES`.
    :param start_date: only leaves ending on or after this day (overlap with the window).
    :param end_date: only leaves starting on or before this day.
    """
    stmt = db.select(LeaveRequest)
    if user_id is not None:
        stmt = stmt.where(LeaveRequest.user_id == user_id)
    if status is not None:
        stmt = stmt.where(LeaveRequest.status == status)
    if leave_type is not None:
        stmt = stmt.where(LeaveRequest.leave_type == leave_type)
    if start_date is not None:
        stmt = stmt.where(LeaveRequest.end_date >= start_date)
    if end_date is not None:
        stmt = stmt.where(LeaveRequest.start_date <= end_date)
    return stmt.order_by(LeaveRequest.created_at.desc(), LeaveRequest.id.desc())


def get_leave(leave_id: int) -> LeaveRequest | None:
    """The leave request with this id, or None."""
    return db.session.get(LeaveRequest, leave_id)


_TYPE_LABELS = {"izin": N_("leave of absence"), "cuti": N_("annual leave"), "dinas_luar": N_("off-site duty"),
                "sakit": N_("sick leave")}


def review_leave(leave: LeaveRequest, reviewer, approve: bool, comment: str | None = None) -> LeaveRequest:
    """Approve or reject a pending leave and notify its requester.

    Sets ``status``, ``reviewed_by_id``, ``reviewed_at`` (now, UTC) and
    ``review_comment`` (stripped; empty → None; at most :data:`MAX_REASON_LENGTH`).
    Who may review (principal, admin) is the caller's check.  The decision is written to the
    audit trail (``leave.approve`` / ``leave.reject``).

    :raises PermissionDenied: the reviewer is the requester (nobody approves their own leave).
    :raises RuleViolation: the leave is no longer pending.
    :raises InsufficientLeaveBalance: approving annual leave beyond what is left of a year's
        balance (another request was approved meanwhile).
    :raises ValidationFailed: the comment is not text or is too long.
    """
    from ..notify.services import notify

    if comment is not None and not isinstance(comment, str):
        raise ValidationFailed({"approval_comment": ["The approval comment must be a string."]})
    comment = (comment or "").strip() or None
    if comment and len(comment) > MAX_REASON_LENGTH:
        raise ValidationFailed({"approval_comment": [
            f"The approval comment may not be greater than {MAX_REASON_LENGTH} characters."]})
    if leave.status != "pending":
        raise RuleViolation("This leave request has already been reviewed")
    if reviewer.id == leave.user_id:
        raise PermissionDenied("You cannot review your own leave request")
    from ..audit.services import record

    if approve and uses_annual_leave(leave.user, leave.leave_type):
        check_annual_balance(leave.user, leave.start_date, leave.end_date, exclude_id=leave.id)
    leave.status = "approved" if approve else "rejected"
    record(reviewer, "leave.approve" if approve else "leave.reject", subject_type="leave_request",
           subject_id=leave.id, person=leave.user_id, before={"status": "pending"},
           after={"status": leave.status, "leave_type": leave.leave_type, "start_date": leave.start_date,
                  "end_date": leave.end_date}, reason=comment, only_changes=False)
    leave.reviewed_by_id = reviewer.id
    leave.reviewed_at = clock.now()
    leave.review_comment = comment
    kind, dates = _kind_text(leave.leave_type), _dates_text(leave)
    if approve:
        title, body = N_("Your leave request was approved"), N_("Your %(kind)s request for %(dates)s was approved.")
    else:
        title, body = N_("Your leave request was rejected"), N_("Your %(kind)s request for %(dates)s was rejected.")
    if comment:
        body = N_("Your %(kind)s request for %(dates)s was approved: %(comment)s") if approve else \
            N_("Your %(kind)s request for %(dates)s was rejected: %(comment)s")
    notify(leave.user, "leave_review", title, body, kind=kind, dates=dates, comment=comment or "")
    db.session.flush()
    return leave


def update_leave(leave: LeaveRequest, actor, **values) -> LeaveRequest:
    """Change a pending leave's ``leave_type``, ``start_date``, ``end_date``, ``reason`` or
    ``attachment_path`` (the keys given), by its owner.  Same rules as :func:`create_leave`.

    :raises PermissionDenied: ``actor`` is not the owner.
    :raises RuleViolation: the leave is no longer pending.
    :raises ValidationFailed: a bad field; :raises Conflict: the new dates overlap another leave.
    :raises InsufficientLeaveBalance: annual leave beyond a year's balance.
    """
    if actor.id != leave.user_id:
        raise PermissionDenied("Only the requester may change a leave request")
    if leave.status != "pending":
        raise RuleViolation("A reviewed leave request cannot be changed")
    unknown = set(values) - {"leave_type", "start_date", "end_date", "reason", "attachment_path"}
    if unknown:
        raise TypeError(f"unknown leave fields: {sorted(unknown)}")
    clean = _clean(values, partial=True)
    start = clean.get("start_date", leave.start_date)
    end = clean.get("end_date", leave.end_date)
    _check_span(start, end)
    _check_overlap(leave.user_id, start, end, exclude_id=leave.id)
    if uses_annual_leave(leave.user, clean.get("leave_type", leave.leave_type)):
        check_annual_balance(leave.user, start, end, exclude_id=leave.id)
    for key, value in clean.items():
        setattr(leave, key, value)
    db.session.flush()
    return leave


def delete_leave(leave: LeaveRequest, actor, *, is_admin: bool = False) -> None:
    """Withdraw a pending leave: its owner, or an administrator (``is_admin``; deleting another
    person's request is audited as ``leave.delete``).

    :raises RuleViolation: the leave was reviewed (approved/rejected leaves are kept).
    :raises PermissionDenied: neither the owner nor an administrator.
    """
    if actor.id != leave.user_id and not is_admin:
        raise PermissionDenied("Only the requester or an administrator may delete a leave request")
    if leave.status != "pending":
        raise RuleViolation("A reviewed leave request cannot be deleted")
    if actor.id != leave.user_id:
        from ..audit.services import record, snapshot

        record(actor, "leave.delete", subject_type="leave_request", subject_id=leave.id, person=leave.user_id,
               before=snapshot(leave, ("leave_type", "start_date", "end_date", "status")), after=None)
    db.session.delete(leave)
    db.session.flush()


def approved_leave_on(user, day: date) -> LeaveRequest | None:
    """The approved leave of ``user`` covering ``day`` (a local calendar date), or None.

    For attendance reports: such a day shows as the leave's type instead of absent
    (contract 002 section 6).  Approved leaves never overlap, so there is at most one.
    """
    user_id = user if isinstance(user, int) else user.id
    return db.session.scalar(db.select(LeaveRequest).where(
        LeaveRequest.user_id == user_id, LeaveRequest.status == "approved",
        LeaveRequest.start_date <= day, LeaveRequest.end_date >= day).order_by(LeaveRequest.id).limit(1))



def pending_leave_count() -> int:
    """How many leave requests wait for review."""
    return db.session.scalar(db.select(db.func.count(LeaveRequest.id)).where(LeaveRequest.status == "pending"))


def pending_leaves_query():
    """Select statement of the pending leave requests, oldest first (the review inbox)."""
    return (db.select(LeaveRequest).where(LeaveRequest.status == "pending")
            .order_by(LeaveRequest.created_at, LeaveRequest.id))


def pending_leaves(*, limit: int, user_ids=None) -> list[LeaveRequest]:
    """The first ``limit`` pending leave requests, oldest first (:func:`pending_leaves_query`),
    each with its requester loaded (one more statement); only those of the people ``user_ids``
    when given (an empty collection: none, and no statement at all)."""
    stmt = pending_leaves_query()
    if user_ids is not None:
        ids = list(user_ids)
        if not ids:
            return []
        stmt = stmt.where(LeaveRequest.user_id.in_(ids))
    return list(db.session.scalars(stmt.options(selectinload(LeaveRequest.user)).limit(limit)))


def pending_for_reviewer(reviewer, *, limit: int) -> list[LeaveRequest]:
    """The first ``limit`` pending leave requests ``reviewer`` decides as principal or department
    head (not as administrator; :func:`app.leave.approvers.reviewable_by`), oldest first, requesters
    loaded: the approver's own list."""
    from .approvers import reviewable_by

    return pending_leaves(limit=limit, user_ids=reviewable_by(reviewer))


def reviewable_leave(leave_id: int, reviewer) -> LeaveRequest:
    """The leave request ``leave_id`` when ``reviewer`` decides it on their approver's list: one
    of its requester's approvers (:func:`app.leave.approvers.may_review`, never the requester) and
    the requester among the people they approve as principal or department head
    (:func:`app.leave.approvers.reviewable_by`; administrators decide in the review inbox).

    :raises NotFound: no such request, or not one ``reviewer`` decides there (the same answer, so
        nobody learns which ids exist).
    """
    from .approvers import may_review, reviewable_by

    leave = get_leave(leave_id)
    if leave is None or not may_review(reviewer, leave) or leave.user_id not in reviewable_by(reviewer):
        raise NotFound("Leave request not found")
    return leave


def viewable_leave(leave_id: int, viewer) -> LeaveRequest:
    """The leave request ``leave_id`` when ``viewer`` may see it (and its attachment): its requester,
    or someone who may decide it (:func:`app.leave.approvers.may_review`: an administrator or one
    of the requester's approvers).

    :raises NotFound: no such request, or not ``viewer``'s to see (the same answer).
    """
    from .approvers import may_review

    leave = get_leave(leave_id)
    if leave is None or (leave.user_id != viewer.id and not may_review(viewer, leave)):
        raise NotFound("Leave request not found")
    return leave


def own_leaves(user_id: int, *, limit: int) -> list[LeaveRequest]:
    """The newest ``limit`` leave requests of the person ``user_id``, newest first (:func:`leaves_query`)."""
    return list(db.session.scalars(leaves_query(user_id=user_id).limit(limit)))
