"""The audit page (``/admin/audit``): every staff decision and change, filtered, newest first."""
from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _

from ..admin.access import admin_required
from ..admin.messages import translate_message
from ..admin.rendering import render
from ..common.errors import DomainError
from ..extensions import db
from . import services
from .forms import AuditFilterForm

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")

#: Entries per page.
PER_PAGE = 50


def _filters():
    """``(form, AuditFilters, query-string args)`` from the request; invalid values are dropped."""
    form = AuditFilterForm(request.args)
    form.actor.choices = [(None, _("Everyone"))] + [(u.id, u.name) for u in services.actors()]
    form.action.choices = [("", _("Every action"))]
    for group, label in services.ACTION_GROUPS.items():
        form.action.choices.append((group, str(label)))
        form.action.choices += [(code, "— " + str(text)) for code, text in services.ACTIONS.items()
                                if code.startswith(group + ".")]
    form.validate()
    args = {}
    values = {}
    for name, key in (("actor", "actor_id"), ("action", "action"), ("q", "person_search"),
                      ("start", "start"), ("end", "end")):
        field = getattr(form, name)
        if field.errors or field.data in (None, ""):
            field.data = None
            continue
        values[key] = field.data
        args[name] = field.data.isoformat() if hasattr(field.data, "isoformat") else field.data
    person = request.args.get("person", type=int)
    if person:
        values["person_id"] = person
        args["person"] = person
    return form, services.AuditFilters(**values), args


@bp.get("")
@admin_required
def index():
    """The audit trail with filters (who, action, person, dates), 50 entries a page."""
    form, filters, args = _filters()
    error = None
    try:
        stmt = services.entries_query(filters)
    except DomainError as exc:
        error = translate_message(next(iter(exc.errors.values()))[0]) if getattr(exc, "errors", None) else exc.message
        stmt = services.entries_query(services.AuditFilters())
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int) or 1, per_page=PER_PAGE, error_out=False)
    person = services.filtered_person(filters)
    return render("audit/index.html", "audit/_partials/results.html",
                  form=form, page=page, filters=args, error=error, person=person)
