"""Admin forms of the system pages: the mobile app's version row of one platform, and the settings."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField

from ..admin.forms import AdminForm, max_length, optional, required


class AppVersionForm(AdminForm):
    """Latest and minimum version/build, store URL, texts, maintenance mode."""

    version_code = StringField(_l("Latest version"), validators=[required(), max_length(20)],
                               description=_l("e.g. 2.1.0"))
    build_number = IntegerField(_l("Latest build"), validators=[required()])
    min_version_code = StringField(_l("Minimum version"), validators=[required(), max_length(20)])
    min_build_number = IntegerField(_l("Minimum build"), validators=[required()],
                                    description=_l("Older builds must update before they can be used."))
    store_url = StringField(_l("Store URL"), validators=[optional(), max_length(255)])
    update_message = TextAreaField(_l("Update message"), validators=[optional(), max_length(1000)])
    changelog = TextAreaField(_l("Changelog"), validators=[optional(), max_length(5000)])
    maintenance_mode = BooleanField(_l("Maintenance mode (every app on this platform is blocked)"))
    maintenance_message = TextAreaField(_l("Maintenance message"), validators=[optional(), max_length(1000)])

    def values(self) -> dict:
        """The keyword arguments of :func:`~app.system.services.save_app_version`."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


def settings_form_class(specs) -> type[AdminForm]:
    """A form class with one field per setting of ``specs`` (:class:`~app.system.settings.SettingSpec`).

    Field names are the setting keys.  The inputs are typed from the registry:
    ``integer`` → ``<input type=number step=1 min max>``, ``number`` →
    ``type=number step=any min max``, ``time`` → ``type=time step=1`` (seconds
    shown), ``boolean`` → a checkbox, ``choice`` → a select of the spec's
    ``choices`` (labels from :data:`SETTING_CHOICE_LABELS`), ``string`` → text
    with ``maxlength``.
    The values are checked on the server by
    :func:`app.system.settings.parse_value`, not by the form.
    """
    fields = {}
    for s in specs:
        label = SETTING_LABELS.get(s.key, s.key)
        if s.type == "boolean":
            fields[s.key] = BooleanField(label)
            continue
        if s.type == "choice":
            labels = SETTING_CHOICE_LABELS.get(s.key, {})
            fields[s.key] = SelectField(label, choices=[(value, labels.get(value, value)) for value in s.choices],
                                        validate_choice=False)
            continue
        render_kw: dict = {}
        if s.type in ("integer", "number"):
            render_kw.update(type="number", step="1" if s.type == "integer" else "any",
                             inputmode="numeric" if s.type == "integer" else "decimal")
            if s.low is not None:
                render_kw["min"] = _plain_number(s.low)
            if s.high is not None:
                render_kw["max"] = _plain_number(s.high)
        elif s.type == "time":
            render_kw.update(type="time", step="1")
        else:
            render_kw["maxlength"] = s.max_length
        fields[s.key] = StringField(label, render_kw=render_kw)
    return type("SettingsForm", (AdminForm,), fields)


def _plain_number(value) -> str:
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


#: Labels of the known settings (an unknown key is shown by its key and registry description).
SETTING_LABELS = {
    "school_latitude": _l("Latitude"),
    "school_longitude": _l("Longitude"),
    "attendance_radius": _l("Attendance radius"),
    "qr_period_seconds": _l("QR code period"),
    "school_name": _l("School name"),
    "organisation_name": _l("Organisation name"),
    "face_tolerance": _l("Face match tolerance"),
    "face_margin": _l("Face match margin"),
    "face_min_gap_minutes": _l("Minimum time between face check-in and check-out"),
    "gps_accuracy_floor_m": _l("Smallest plausible GPS accuracy"),
    "gps_max_speed_kmh": _l("Fastest plausible travel between two check-ins"),
    "wrong_office_policy": _l("Check-in at an office the person is not assigned to"),
}
#: The options of the ``choice`` settings, by key and value.
SETTING_CHOICE_LABELS = {
    "wrong_office_policy": {
        "review": _l("Record it and hold it for review"),
        "refuse": _l("Refuse it"),
    },
}
