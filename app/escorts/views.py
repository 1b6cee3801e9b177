"""Admin pages of the ER escort registry (*pengantar pasien*) for ER staff.

- ``escorts.index``: today's registrations first (filters: category, status,
  a range of local dates, search), counts by category and by status with a
  small bar chart, and one row per escort with its photo thumbnail and inline
  Verify / Reject / Back to pending and Delete.  While the range includes
  today the list fragment reloads itself every :data:`POLL_SECONDS` seconds,
  so registrations from the ER kiosk or the ER app appear without a reload.
- ``escorts.detail``: every field, the full photo, the source and the review.
- ``escorts.export``: the filtered list as CSV (every row, not one page).
- ``escorts.photo``: the stored photo (``?size=thumb`` for a small JPEG), never cached.

Access, as the ``igd`` API (contract 004): the ER's staff
(:data:`~app.accounts.roles.ER_STAFF_ROLES`: doctors, paramedics, admin and petugas) see
the list, an escort and its photo, and verify, reject or set back to pending; the CSV
export and deleting stay with admin and petugas (the API's ``DELETE_ROLES``,
:func:`~app.admin.access.staff_required`), whose buttons the others do not see.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..accounts.roles import ER_STAFF_ROLES
from ..admin.access import is_safe_next, roles_required, staff_required
from ..admin.filters import local_datetime
from ..admin.rendering import render, wants_fragment
from ..common import clock
from ..common.boundary import refuse
from ..common.csv_export import csv_response
from ..common.errors import DomainError, NotFound
from ..extensions import db
from . import services as escorts
from .forms import EscortDeleteForm, EscortFilterForm, EscortStatusForm
from .models import CATEGORIES, STATUSES, Escort

bp = Blueprint("escorts", __name__, url_prefix="/admin/escorts")

#: Escorts per page of the list.
PER_PAGE = 25
#: Longest range of dates shown at once (and exported), in days.
MAX_RANGE_DAYS = 366
#: Seconds between reloads of the list while its range includes today.
POLL_SECONDS = 15
#: Longest side of a thumbnail, in pixels.
THUMB_PX = 160

CATEGORY_LABELS = {"police": _l("Police"), "ambulance": _l("Ambulance"), "individual": _l("Individual")}
GENDER_LABELS = {"male": _l("Male"), "female": _l("Female")}
#: Status → (label, badge modifier of hadir.css).
STATUS_LABELS = {
    "pending": (_l("Pending"), "pending"),
    "verified": (_l("Verified"), "approved"),
    "rejected": (_l("Rejected"), "rejected"),
}
#: Where a registration came from (see :func:`source_of`).
SOURCE_LABELS = {"kiosk": _l("ER kiosk"), "api": _l("ER app (API)"), "admin": _l("Entered by staff")}
#: The buttons of a status change: target status → label.
ACTION_LABELS = {"verified": _l("Verify"), "rejected": _l("Reject"), "pending": _l("Back to pending")}


def source_of(escort: Escort) -> str:
    """``api`` (through a JSON API), ``admin`` (entered by a signed-in staff member) or ``kiosk``
    (a self-registration: no staff member, not the API)."""
    if escort.api_submission:
        return "api"
    return "admin" if escort.created_by_id else "kiosk"


def actions_for(escort: Escort, *, compact: bool = False) -> list[str]:
    """The status changes offered for ``escort``: Verify / Reject for a pending one; a decided
    one may be set back to pending or (not ``compact``: the detail page) changed to the other
    decision, as the ER app may."""
    if compact and escort.status != "pending":
        return ["pending"]
    return [s for s in ("verified", "rejected", "pending") if s != escort.status]


@bp.context_processor
def _labels():
    return {"escort_labels": {"category": CATEGORY_LABELS, "gender": GENDER_LABELS, "status": STATUS_LABELS,
                              "source": SOURCE_LABELS, "action": ACTION_LABELS},
            "escort_source": source_of, "escort_actions": actions_for}


@dataclass
class ListFilters:
    """The list's filters after defaults and bounds: local dates ``start``..``end``
    (inclusive), ``category``, ``status``, ``search`` ("" when absent) and a
    message when the request's range was changed (``error``)."""

    form: EscortFilterForm
    start: date
    end: date
    category: str
    status: str
    search: str
    error: str | None = None

    def args(self) -> dict:
        """The query arguments that give this list again (dates always, the rest when set)."""
        args = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        args.update({k: v for k, v in (("category", self.category), ("status", self.status),
                                       ("q", self.search)) if v})
        return args

    @property
    def includes_today(self) -> bool:
        """True when today is in the range (the list then reloads itself)."""
        return self.start <= clock.local_today() <= self.end

    @property
    def is_today(self) -> bool:
        """True for the default range: today only."""
        return self.start == self.end == clock.local_today()

    def query(self, **loads):
        """The filtered ``select(Escort)``, newest first (:func:`~app.escorts.services.escorts_between_query`;
        ``loads``: its ``with_reviewer`` / ``with_creator``)."""
        return escorts.escorts_between_query(self.start, self.end, category=self.category or None,
                                             status=self.status or None, search=self.search or None, **loads)


def _filters() -> ListFilters:
    """The filters of the query string; invalid values fall back to the defaults (today, everything)."""
    form = EscortFilterForm(request.args)
    form.validate()
    today = clock.local_today()

    def valid(field):
        """The field's value, or None when it is empty or did not validate."""
        return None if field.errors or field.data in (None, "") else field.data

    start, end = valid(form.start), valid(form.end)
    if start is None and end is None:
        start = end = today
    elif start is None:
        start = end
    elif end is None:
        end = max(start, today)
    if start > end:
        start, end = end, start
    error = None
    if (end - start).days >= MAX_RANGE_DAYS:
        start = end - timedelta(days=MAX_RANGE_DAYS - 1)
        error = _("At most %(days)d days are shown at once: from %(start)s.", days=MAX_RANGE_DAYS,
                  start=start.isoformat())
    search = (valid(form.q) or "").strip()[:100]
    return ListFilters(form=form, start=start, end=end, category=valid(form.category) or "",
                       status=valid(form.status) or "", search=search, error=error)


def _load(escort_id: int) -> Escort:
    try:
        return escorts.get_escort(escort_id)
    except NotFound:
        abort(404)


def _next_url(form) -> str:
    """The form's ``next`` when it is a path on this site, else the list."""
    target = form.next.data if form is not None else None
    return target if is_safe_next(target) else url_for("escorts.index")


@bp.get("/")
@roles_required(ER_STAFF_ROLES)
def index():
    """Escorts registered in the range (default: today), newest first, with counts and a chart."""
    filters = _filters()
    stmt = filters.query(with_reviewer=True)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int) or 1, per_page=PER_PAGE, error_out=False)
    by_category, by_status = escorts.escort_counts(filters.query())
    list_url = url_for("escorts.index", **filters.args(), **({"page": page.page} if page.page > 1 else {}))
    return render("escorts/index.html", "escorts/_partials/results.html",
                  filters=filters, args=filters.args(), page=page, list_url=list_url,
                  by_category=by_category, by_status=by_status, total=sum(by_status.values()),
                  categories=CATEGORIES, statuses=STATUSES, poll_seconds=POLL_SECONDS)


@bp.get("/export.csv")
@staff_required
def export():
    """The filtered list (every row of the range, not one page) as CSV, formula-safe."""
    filters = _filters()
    rows = [[_("Submission ID"), _("Registered"), _("Category"), _("Name"), _("Gender"), _("Phone"),
             _("Plate number"), _("Patient"), _("Status"), _("Source"), _("Entered by"), _("Reviewed by"),
             _("Reviewed at"), _("IP address")]]
    for escort in escorts.list_escorts(filters.query(with_reviewer=True, with_creator=True)):
        rows.append([
            escort.submission_id, local_datetime(escort.created_at, "yyyy-MM-dd HH:mm"),
            str(CATEGORY_LABELS.get(escort.category, escort.category)), escort.name,
            str(GENDER_LABELS.get(escort.gender, escort.gender)), escort.phone, escort.plate_number,
            escort.patient_name, str(STATUS_LABELS.get(escort.status, (escort.status,))[0]),
            str(SOURCE_LABELS[source_of(escort)]), escort.created_by.name if escort.created_by else "",
            escort.reviewed_by.name if escort.reviewed_by else "",
            local_datetime(escort.reviewed_at, "yyyy-MM-dd HH:mm") if escort.reviewed_at else "",
            escort.submitted_from_ip or "",
        ])
    return csv_response(rows, f"escorts-{filters.start.isoformat()}-{filters.end.isoformat()}.csv")


@bp.get("/<int:escort_id>")
@roles_required(ER_STAFF_ROLES)
def detail(escort_id: int):
    """One escort: every field, the full photo, where it came from, who reviewed it, the actions."""
    escort = _load(escort_id)
    return render_template("escorts/detail.html", escort=escort, has_photo=escorts.photo_file(escort) is not None,
                           next_url=url_for("escorts.detail", escort_id=escort.id))


@bp.get("/<int:escort_id>/photo")
@roles_required(ER_STAFF_ROLES)
def photo(escort_id: int):
    """The escort's photo (``?size=thumb``: a small JPEG for the list); 404 without one; never cached."""
    escort = _load(escort_id)
    path = escorts.photo_file(escort)
    if path is None:
        abort(404)
    if request.args.get("size") == "thumb":
        response = send_file(_thumbnail(path), mimetype="image/jpeg", max_age=0, conditional=False)
    else:
        response = send_file(path, max_age=0, conditional=False)
    response.headers["Cache-Control"] = "no-store, private"
    return response


def _thumbnail(path) -> io.BytesIO:
    from PIL import Image, ImageOps

    buffer = io.BytesIO()
    try:
        with Image.open(path) as image:
            small = ImageOps.exif_transpose(image)
            small.thumbnail((THUMB_PX, THUMB_PX))
            small.convert("RGB").save(buffer, format="JPEG", quality=80)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        abort(404)
    buffer.seek(0)
    return buffer


@bp.post("/<int:escort_id>/status")
@roles_required(ER_STAFF_ROLES)
def set_status(escort_id: int):
    """Verify, reject or set back to pending (``status``); records who and when.

    htmx gets the escort's row again; a normal form post goes back to ``next``
    (the list or the detail page) with a message.
    """
    escort = _load(escort_id)
    form = EscortStatusForm()
    if form.validate_on_submit():
        try:
            escorts.set_status(escort, form.status.data, actor=current_user._get_current_object())
        except DomainError:
            refuse()
        else:
            label = STATUS_LABELS[escort.status][0]
            message = _("%(name)s: %(status)s.", name=escort.name, status=label)
            if wants_fragment():
                return render_template("escorts/_partials/row.html", escort=escort, list_url=_next_url(form))
            flash(message, "success")
            return redirect(_next_url(form), code=303)
    if wants_fragment():
        return render_template("escorts/_partials/row.html", escort=escort, list_url=_next_url(form))
    flash(_("The status was not changed."), "error")
    return redirect(_next_url(form), code=303)


@bp.get("/<int:escort_id>/delete")
@staff_required
def confirm_delete(escort_id: int):
    """Ask before deleting (the page a browser without JavaScript sees)."""
    escort = _load(escort_id)
    form = EscortDeleteForm(formdata=None, next=request.args.get("next") or "")
    if not is_safe_next(form.next.data):
        form.next.data = url_for("escorts.index")
    return render_template("escorts/confirm_delete.html", escort=escort, form=form,
                           has_photo=escorts.photo_file(escort) is not None)


@bp.post("/<int:escort_id>/delete")
@staff_required
def delete(escort_id: int):
    """Delete an escort and its photo file (admin and petugas, as in the ER API).

    htmx (the list's row, after the browser's confirmation) gets a one-line row
    saying so; a normal form post goes back to ``next`` (default: the list).
    """
    escort = _load(escort_id)
    form = EscortDeleteForm()
    if not form.validate_on_submit():
        abort(400)
    name = escort.name
    escorts.delete_escort(escort, actor=current_user._get_current_object())
    message = _("The registration of %(name)s was deleted.", name=name)
    if wants_fragment():
        return render_template("escorts/_partials/deleted_row.html", escort_id=escort_id, message=message)
    flash(message, "success")
    target = _next_url(form)
    if target.rstrip("/").endswith(f"/admin/escorts/{escort_id}"):
        target = url_for("escorts.index")
    return redirect(target, code=303)
