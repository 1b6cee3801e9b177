"""Admin page of app versions: one row per platform (android, ios), edited in place."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _

from ..admin.access import admin_required
from ..admin.filters import PLATFORM_LABELS
from ..admin.rendering import render, wants_fragment
from ..common.errors import DomainError
from ..extensions import db
from . import services as system
from .forms import AppVersionForm
from .models import PLATFORMS

bp = Blueprint("system", __name__, url_prefix="/admin/app-versions")


def _form(platform: str, row=None, formdata=None) -> AppVersionForm:
    kwargs = {"prefix": platform}
    if formdata is None:
        kwargs["formdata"] = None
    form = AppVersionForm(obj=row, **kwargs)
    return form


@bp.get("/")
@admin_required
def app_versions():
    """Both platforms' version rows, each in its own form."""
    rows = system.app_versions()
    cards = [dict(platform=p, row=rows[p], form=_form(p, rows[p])) for p in PLATFORMS]
    return render("system/app_versions.html", "system/_partials/app_version_cards.html", cards=cards)


@bp.post("/<platform>")
@admin_required
def save(platform: str):
    """Save one platform's row (created on first save)."""
    if platform not in PLATFORMS:
        abort(404)
    form = AppVersionForm(prefix=platform)
    notice = None
    if form.validate_on_submit():
        try:
            row = system.save_app_version(platform, **form.values())
        except DomainError as exc:
            db.session.rollback()
            form.apply_domain_error(exc)
        else:
            notice = _("%(platform)s version saved.", platform=PLATFORM_LABELS[platform])
            if not wants_fragment():
                flash(notice, "success")
                return redirect(url_for("system.app_versions"), code=303)
            form = _form(platform, row)
    card = dict(platform=platform, row=system.app_versions()[platform], form=form, notice=notice)
    if wants_fragment():
        return render("system/app_versions.html", "system/_partials/app_version_card.html", card=card)
    rows = system.app_versions()
    cards = [card if p == platform else dict(platform=p, row=rows[p], form=_form(p, rows[p])) for p in PLATFORMS]
    return render("system/app_versions.html", "system/_partials/app_version_cards.html", cards=cards)
