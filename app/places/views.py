"""Admin pages of offices: list, create, edit (admins only)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..admin.access import admin_required
from ..common.errors import NotFound
from ..extensions import db
from . import services as places
from .forms import FIELD_MAP, OfficeForm

bp = Blueprint("places", __name__, url_prefix="/admin/offices")

#: Offices per page.
PER_PAGE = 20


def _conflict_messages() -> dict[str, str]:
    return {"code": _("This code is already used by another office.")}


@bp.get("/")
@admin_required
def offices():
    """Offices with their geofence, ordered by code, paginated."""
    page = db.paginate(places.offices_query(), page=request.args.get("page", 1, type=int) or 1,
                       per_page=PER_PAGE, error_out=False)
    staff = places.staff_counts([o.id for o in page.items])
    return render_template("places/offices.html", page=page, staff=staff)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def office_new():
    """Create an office."""
    form = OfficeForm()
    if form.validate_on_submit():
        ok, office = form.call(lambda: places.create_office(**form.values(), actor=current_user), FIELD_MAP, _conflict_messages())
        if ok:
            flash(_("Office “%(name)s” was created.", name=office.name), "success")
            return redirect(url_for("places.offices"), code=303)
    return render_template("places/office_form.html", form=form, office=None)


@bp.route("/<int:office_id>/edit", methods=["GET", "POST"])
@admin_required
def office_edit(office_id: int):
    """Edit an office (also deactivate it)."""
    try:
        office = places.get_office(office_id)
    except NotFound:
        abort(404)
    form = OfficeForm(obj=office)
    if request.method == "GET":
        form.latitude.data = f"{office.latitude:.6f}"
        form.longitude.data = f"{office.longitude:.6f}"
    if form.validate_on_submit():
        ok, _saved = form.call(lambda: places.update_office(office, is_active=bool(form.is_active.data), **form.values(),
                                                                 actor=current_user),
                               FIELD_MAP, _conflict_messages())
        if ok:
            flash(_("Office “%(name)s” was saved.", name=office.name), "success")
            return redirect(url_for("places.offices"), code=303)
    return render_template("places/office_form.html", form=form, office=office)
