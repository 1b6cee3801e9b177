"""Admin pages of kiosks: register, edit, pairing codes, revoke, delete (admins only)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..admin.access import admin_required
from ..admin.rendering import render, wants_fragment
from ..common.errors import NotFound
from ..places.services import list_offices
from ..qr.images import qr_svg
from . import services as kiosks
from .forms import MODE_LABELS, MODE_NAMES, KioskActionForm, KioskForm
from .models import KIOSK_MODES, Kiosk

bp = Blueprint("kiosks", __name__, url_prefix="/admin/kiosks")


def _load(kiosk_id: int) -> Kiosk:
    try:
        return kiosks.get_kiosk(kiosk_id)
    except NotFound:
        abort(404)


def _form(obj=None) -> KioskForm:
    form = KioskForm(obj=obj)
    form.office_id.choices = [(None, _("School (no office)"))] + [
        (o.id, f"{o.code} · {o.name}") for o in list_offices()]
    form.modes.choices = [(m, str(MODE_LABELS[m])) for m in KIOSK_MODES]
    if request.method == "GET":
        form.modes.data = obj.mode_list if obj is not None else ["qr"]
    return form


def _list(**context):
    pairing = context.get("pairing")
    if pairing is not None:  # the pairing link, also as a QR code the tablet's camera can open
        link = url_for("kiosk.pair", code=pairing.code, _external=True)
        context.update(pairing_link=link, pairing_qr=qr_svg(link, error="m", css_class="pairing-qr",
                                                            title=_("Pairing link as a QR code")))
    items = kiosks.list_kiosks()
    return render("kiosk/admin/index.html", "kiosk/admin/_partials/list.html", kiosks=items,
                  action_form=KioskActionForm(), mode_names=MODE_NAMES, **context)


@bp.get("/")
@admin_required
def index():
    """Every kiosk with its place, modes and state (paired, last seen; unpaired; revoked)."""
    return _list()


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    """Register a kiosk; the next page shows its first pairing code."""
    form = _form()
    if form.validate_on_submit():
        ok, kiosk = form.call(lambda: kiosks.create_kiosk(current_user, **form.values()))
        if ok:
            code = kiosks.issue_pairing_code(kiosk, actor=current_user)
            return _list(pairing=code, paired_kiosk=kiosk,
                         notice=_("Kiosk “%(name)s” was registered.", name=kiosk.name))
    return render_template("kiosk/admin/form.html", form=form, kiosk=None)


@bp.route("/<int:kiosk_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(kiosk_id: int):
    """Change a kiosk's name, office or modes (the tablet follows at its next request)."""
    kiosk = _load(kiosk_id)
    form = _form(kiosk)
    if form.validate_on_submit():
        ok, _saved = form.call(lambda: kiosks.update_kiosk(kiosk, **form.values(), actor=current_user))
        if ok:
            flash(_("Kiosk “%(name)s” was saved.", name=kiosk.name), "success")
            return redirect(url_for("kiosks.index"), code=303)
    return render_template("kiosk/admin/form.html", form=form, kiosk=kiosk)


@bp.post("/<int:kiosk_id>/pairing-code")
@admin_required
def pairing_code(kiosk_id: int):
    """Issue a one-time pairing code (valid 15 minutes), shown once on the list."""
    kiosk = _load(kiosk_id)
    if not KioskActionForm().validate_on_submit():
        abort(400)
    code = kiosks.issue_pairing_code(kiosk, actor=current_user)
    return _list(pairing=code, paired_kiosk=kiosk)


@bp.post("/<int:kiosk_id>/revoke")
@admin_required
def revoke(kiosk_id: int):
    """Revoke: the paired tablet stops at its next request (pair it again with a new code)."""
    kiosk = _load(kiosk_id)
    if not KioskActionForm().validate_on_submit():
        abort(400)
    kiosks.revoke(kiosk, actor=current_user)
    message = _("Kiosk “%(name)s” was revoked.", name=kiosk.name)
    if wants_fragment():
        return _list(notice=message)
    flash(message, "success")
    return redirect(url_for("kiosks.index"), code=303)


@bp.post("/<int:kiosk_id>/delete")
@admin_required
def delete(kiosk_id: int):
    """Delete a kiosk for good."""
    kiosk = _load(kiosk_id)
    if not KioskActionForm().validate_on_submit():
        abort(400)
    name = kiosk.name
    kiosks.delete_kiosk(kiosk, actor=current_user)
    message = _("Kiosk “%(name)s” was deleted.", name=name)
    if wants_fragment():
        return _list(notice=message)
    flash(message, "success")
    return redirect(url_for("kiosks.index"), code=303)
