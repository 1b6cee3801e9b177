"""Admin forms of kiosks."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from ..admin.forms import AdminForm, max_length, required

#: Labels of :data:`app.kiosk.models.KIOSK_MODES`.
MODE_LABELS = {
    "face": _l("Face check-in (people look at the camera to check in or out)"),
    "qr": _l("Rotating QR code (phones scan it to check in or out)"),
    "cards": _l("Student cards (students hold their QR card up to the camera)"),
    "escorts": _l("ER escort registration (whoever brings a patient in registers, with a photo)"),
}
#: Short names of the modes (badges, the kiosk's mode buttons).
MODE_NAMES = {"face": _l("Face"), "qr": _l("QR code"), "cards": _l("Student cards"),
              "escorts": _l("ER registration")}


def _optional_int(value):
    """``""``/None → None, else ``int(value)``."""
    return None if value in (None, "", "None") else int(value)


class KioskForm(AdminForm):
    """Name, office (empty: the school), the enabled modes and the liveness check of a kiosk."""

    name = StringField(_l("Name"), validators=[required(), max_length(100)],
                       description=_l("Where it hangs, e.g. “Main entrance”."))
    office_id = SelectField(_l("Office"), coerce=_optional_int, choices=[], validate_choice=True)
    modes = SelectMultipleField(_l("Modes"), choices=[], validate_choice=True,
                                validators=[required(_l("Choose at least one mode."))],
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    liveness = BooleanField(
        _l("Liveness check for face check-in"),
        description=_l("The kiosk asks each person to blink and turn their head before checking them in, "
                       "so a photo held up to the camera checks nobody in. Adds about 5 seconds."))

    def values(self) -> dict:
        """The keyword arguments of :func:`~app.kiosk.services.create_kiosk`."""
        return dict(name=self.name.data, office_id=self.office_id.data, modes=self.modes.data or [],
                    liveness=bool(self.liveness.data))


class KioskActionForm(AdminForm):
    """An action button on a kiosk row (pairing code, revoke, delete): the CSRF token only."""
