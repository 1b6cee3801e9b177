"""The review inbox's screen and the helpers its sections' decision routes answer with."""
from __future__ import annotations

from typing import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from ..admin.access import staff_required
from ..admin.messages import translate_message
from ..admin.rendering import render, wants_fragment
from ..common.boundary import refuse
from ..common.errors import DomainError
from ..extensions import db
from .sections import InboxState, OpenDecision, registered_sections

bp = Blueprint("review", __name__, url_prefix="/admin/attendance/review")


def page_number() -> int:
    """The inbox's ``?page=`` (1 when missing or not a positive number)."""
    return request.args.get("page", 1, type=int) or 1


def render_inbox(*, notice=None, notice_kind: str = "success", decision: OpenDecision | None = None):
    """The inbox: the page, or for htmx its ``#review-list`` fragment.

    Each registered section is rendered with its ``load(state)`` variables plus ``decision``
    (the form to show open again, or None) and ``page_number``.

    :param notice: a message above the sections (the last decision's outcome), ``notice_kind``
        ``success`` or ``error``.
    """
    state = InboxState(user=current_user._get_current_object(), page_number=page_number(), decision=decision)
    shared = {"decision": decision, "page_number": state.page_number}
    sections = [Markup(render_template(section.template, **shared, **section.load(state)))
                for section in registered_sections()]
    return render("review/inbox.html", "review/_partials/inbox.html",
                  sections=sections, notice=notice, notice_kind=notice_kind)


def answer(message: str, kind: str = "success"):
    """Answer a decision with ``message``: htmx gets the inbox with the notice, a browser a
    303 back to the inbox (same page) with the message flashed."""
    if wants_fragment():
        return render_inbox(notice=message, notice_kind=kind)
    flash(message, kind)
    return redirect(url_for("review.index", page=page_number()), code=303)


def decide(form, decision: OpenDecision, act: Callable[[], object], done_message: Callable[[], str],
           field_map: dict[str, str] | None = None):
    """Run one approve / reject of a section.

    Validates ``form``, calls ``act()`` (the service call), then answers with ``done_message()``.
    A refused form, or a service refusal naming a field (shown next to it, ``field_map`` renaming
    service fields to form fields), re-renders the inbox with ``decision`` open; another
    :class:`~app.common.errors.DomainError` becomes an error notice.  A refused service call
    leaves nothing written.
    """
    if form.validate_on_submit():
        try:
            act()
        except DomainError as exc:
            refuse()
            if getattr(exc, "errors", None):
                form.apply_domain_error(exc, field_map=field_map)
            else:
                return answer(translate_message(exc.message), "error")
        else:
            return answer(done_message())
    return render_inbox(decision=decision)


@bp.get("")
@staff_required
def index():
    """Everything waiting for a decision, one section per registered domain (see :mod:`app.review`).

    Who decides is each section's rule: flagged events are decided by admin and petugas; leave
    requests and the clinic's procedures by an admin only — the contract (002, section 6) gives
    leave to the principal (``kepsek``) and admins, and only admin and petugas sign in here, so a
    petugas sees those sections read-only (no buttons; their POST routes answer 403) and the
    principal reviews leave through the school app.
    """
    return render_inbox()


#: Decisions per page of the "decided" view.
DECIDED_PER_PAGE = 30


@bp.get("/decided")
@staff_required
def decided():
    """What was decided in the inbox, newest first: who decided, when, the item and the note
    (read from the audit trail, :data:`app.audit.services.DECISION_ACTIONS`)."""
    from ..audit import services as audit

    stmt = audit.entries_query(audit.AuditFilters(actions=audit.DECISION_ACTIONS))
    page = db.paginate(stmt, page=page_number(), per_page=DECIDED_PER_PAGE, error_out=False)
    return render("review/decided.html", "review/_partials/decided.html", page=page)
