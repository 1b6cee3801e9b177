"""Admin pages of the system: app versions (one row per platform, edited in place) and the settings.

The settings page (``/admin/settings``) is built from the registry
(:data:`app.system.settings.REGISTRY`): every known setting is a typed input,
grouped by :data:`SETTING_GROUPS`; a key of the registry that no group names
appears under "Other", so a new registry entry needs no change here.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from ..admin.access import admin_required
from ..admin.filters import PLATFORM_LABELS
from ..admin.rendering import render, wants_fragment
from ..common.boundary import refuse
from ..common.errors import DomainError, ValidationFailed
from . import services as system
from . import settings as registry
from .forms import AppVersionForm, settings_form_class
from .models import PLATFORMS

bp = Blueprint("system", __name__, url_prefix="/admin")


def _form(platform: str, row=None, formdata=None) -> AppVersionForm:
    kwargs = {"prefix": platform}
    if formdata is None:
        kwargs["formdata"] = None
    form = AppVersionForm(obj=row, **kwargs)
    return form


@bp.get("/app-versions/")
@admin_required
def app_versions():
    """Both platforms' version rows, each in its own form."""
    rows = system.app_versions()
    cards = [dict(platform=p, row=rows[p], form=_form(p, rows[p])) for p in PLATFORMS]
    return render("system/app_versions.html", "system/_partials/app_version_cards.html", cards=cards)


@bp.post("/app-versions/<platform>")
@admin_required
def save(platform: str):
    """Save one platform's row (created on first save)."""
    if platform not in PLATFORMS:
        abort(404)
    form = AppVersionForm(prefix=platform)
    notice = None
    if form.validate_on_submit():
        try:
            row = system.save_app_version(platform, **form.values(), actor=current_user)
        except DomainError as exc:
            refuse()
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


# --- settings ---------------------------------------------------------------------

#: Groups of the settings page: ``(id, title, keys)``, in page order.  Keys of the
#: registry missing here are shown in a last group, "Other" — except the check-in and
#: check-out times, late tolerance and working days (:data:`registry.SCHEDULE_KEYS`),
#: which are the work schedules' and are set on their page, one source of truth.
SETTING_GROUPS = (
    ("location", _l("School location"), ("school_latitude", "school_longitude", "attendance_radius")),
    ("qr", _l("QR code"), ("qr_period_seconds",)),
    ("faces", _l("Face recognition (kiosks)"), ("face_tolerance", "face_margin", "face_min_gap_minutes")),
    ("organisation", _l("Organisation"), ("organisation_name",)),
    ("school", _l("School"), ("school_name",)),
    ("plausibility", _l("Fake GPS: plausibility of a reported position"),
     ("gps_accuracy_floor_m", "gps_max_speed_kmh", "wrong_office_policy")),
    ("leave", _l("Annual leave"), ("annual_leave_days",)),
)
#: Unit shown after the input of a setting (a time's unit is the local time zone name).
SETTING_UNITS = {
    "attendance_radius": _l("metres"),
    "qr_period_seconds": _l("seconds"),
    "face_min_gap_minutes": _l("minutes"),
    "school_latitude": _l("degrees"),
    "school_longitude": _l("degrees"),
    "gps_accuracy_floor_m": _l("metres"),
    "gps_max_speed_kmh": _l("km/h"),
    "annual_leave_days": _l("working days a year"),
}
#: Help under the input of a known setting.
SETTING_HINTS = {
    "school_latitude": _l("Decimal degrees; south of the equator is negative (e.g. -6.200000)."),
    "school_longitude": _l("Decimal degrees; east of Greenwich is positive (e.g. 106.816666)."),
    "attendance_radius": _l("Check-in and check-out are accepted within this distance of the school."),
    "qr_period_seconds": _l("How long one dynamic QR code is valid; the previous code is still accepted as grace."),
    "school_name": _l("Shown in the apps and on printed student cards."),
    "organisation_name": _l("Heads the monthly attendance recap (page, Excel and PDF). Left empty, the server's "
                            "ORGANISATION_NAME is used, else the school name."),
    "face_tolerance": _l("How alike a face must be to a person's enrolled photos to be recognised; smaller is "
                         "stricter. 0.55 suits a kiosk that chooses among everyone: raise it only if known people "
                         "are often not recognised."),
    "face_margin": _l("How much nearer the best person must be than the next one; otherwise the face is not "
                      "recognised."),
    "face_min_gap_minutes": _l("A second look at the kiosk sooner than this after checking in does not check out."),
    "gps_accuracy_floor_m": _l("Phones report their accuracy as a radius in metres; consumer GPS rarely reports "
                               "under a few metres, while fake-GPS apps often report 0. A check-in or check-out "
                               "reporting 0 or less than this is recorded and held for review."),
    "gps_max_speed_kmh": _l("Two consecutive check-ins or check-outs of one person further apart than this speed "
                            "allows (after subtracting both positions' accuracy) are held for review. 150 km/h is "
                            "the toll-road limit of 100 km/h with room to spare; raise it if people often take the "
                            "high-speed train or a plane between two offices on the same day."),
    "wrong_office_policy": _l("Applies when an app names an office (branch) other than the person's own."),
    "annual_leave_days": _l("Annual leave (cuti tahunan) of everyone without an entitlement of their own; the law's "
                            "minimum is 12 working days after 12 months of service (UU 13/2003 art. 79). Days off "
                            "and holidays inside a leave are not counted."),
}


def _grouped_specs() -> list[tuple[str, object, list]]:
    """``(id, title, specs)`` per group, registry specs only, "Other" last when it has any."""
    known = {key for _id, _title, keys in SETTING_GROUPS for key in keys}
    groups = []
    for group_id, title, keys in SETTING_GROUPS:
        specs = [registry.SPECS[k] for k in keys if k in registry.SPECS]
        if specs:
            groups.append((group_id, title, specs))
    other = [s for s in registry.REGISTRY if s.key not in known and s.key not in registry.SCHEDULE_KEYS]
    if other:
        groups.append(("other", _l("Other"), other))
    return groups


def _range_text(s) -> str | None:
    if s.type not in ("integer", "number") or s.low is None or s.high is None:
        return None
    fmt = (lambda v: str(int(v)) if float(v).is_integer() else str(v))
    return _("From %(low)s to %(high)s.", low=fmt(s.low), high=fmt(s.high))


def _hint(s) -> str:
    """Help under a setting's input: its hint (the registry description for an unknown key) and its range."""
    text = str(SETTING_HINTS.get(s.key) or s.description or "").strip()
    if text and text[-1] not in ".!?":
        text += "."
    return " ".join(p for p in (text, _range_text(s)) if p)


def _refusal(s, raw: str) -> str:
    """The message shown when the registry refuses ``raw`` for setting ``s`` (in the admin's language)."""
    if not raw:
        return _("This field is required.")
    if s.type == "integer":
        return _("Enter a whole number from %(low)s to %(high)s.", low=int(s.low), high=int(s.high))
    if s.type == "number":
        return _("Enter a number from %(low)s to %(high)s (a dot as decimal separator).", low=s.low, high=s.high)
    if s.type == "time":
        return _("Enter a time as HH:MM:SS.")
    if s.type == "boolean":
        return _("Choose yes or no.")
    if s.type == "weekdays":
        return _("List weekdays 1-7 (1 = Monday), e.g. 1,2,3,4,5.")
    if s.type == "choice":
        return _("Choose one of the options.")
    return _("At most %(max)d characters.", max=s.max_length)


def _settings_page(form, groups, views):
    zone = current_app.config.get("TIMEZONE", "Asia/Jakarta")
    units = {s.key: (zone if s.type == "time" else SETTING_UNITS.get(s.key))
             for _id, _title, specs in groups for s in specs}
    hints = {s.key: _hint(s) for _id, _title, specs in groups for s in specs}
    latitude, longitude = registry.get_setting("school_latitude"), registry.get_setting("school_longitude")
    return render_template("system/settings.html", form=form, groups=groups, units=units, hints=hints,
                           views=views, zone=zone, latitude=latitude, longitude=longitude)


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    """Every registry setting in one form; saved all or nothing (nothing is written while any value is refused)."""
    groups = _grouped_specs()
    specs = [s for _id, _title, group in groups for s in group]
    views = {v.key: v for v in registry.list_settings()}
    form_class = settings_form_class(specs)
    if not form_class().is_submitted():
        data = {s.key: (registry.get_setting(s.key) if s.type == "boolean" else views[s.key].value or "")
                for s in specs}
        return _settings_page(form_class(formdata=None, data=data), groups, views)
    form = form_class()
    if form.validate_on_submit():
        changed, refused = [], False
        for s in specs:
            field = form[s.key]
            raw = ("true" if field.data else "false") if s.type == "boolean" else (field.data or "").strip()
            if not raw and views[s.key].value is None:
                continue                    # an unset setting left blank stays unset
            try:
                typed = registry.parse_value(s.key, raw)
            except ValueError:
                form.add_error(s.key, _refusal(s, raw))
                refused = True
                continue
            if views[s.key].value is None or typed != registry.get_setting(s.key):
                changed.append({"key": s.key, "value": raw})
        if not refused:
            try:
                if changed:
                    registry.bulk_update(changed, actor=current_user._get_current_object())
            except ValidationFailed as exc:
                refuse()
                for name, messages in exc.errors.items():
                    parts = name.split(".")
                    key = changed[int(parts[1])]["key"] if len(parts) > 2 and parts[1].isdigit() else None
                    for message in messages:
                        form.add_error(key, message)
            else:
                flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
                return redirect(url_for("system.settings"), code=303)
    if not form.form_errors:
        form.add_error(None, _("Nothing was saved. Correct the marked fields and save again."))
    return _settings_page(form, groups, views)
