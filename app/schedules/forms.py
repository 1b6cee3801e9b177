"""Admin form of a work schedule (jam kerja)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TimeField

from ..admin.forms import AdminForm, max_length, optional, required

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]


class WorkScheduleForm(AdminForm):
    """Name and the check-in / check-out windows, in local time (``HH:MM``)."""

    name = StringField(_l("Name"), validators=[required(), max_length(100)])
    check_in_start = TimeField(_l("Check-in opens"), format=TIME_FORMATS, validators=[required()])
    check_in_end = TimeField(_l("Check-in closes"), format=TIME_FORMATS, validators=[optional()])
    late_after = TimeField(_l("Late after"), format=TIME_FORMATS, validators=[optional()])
    check_out_start = TimeField(_l("Check-out opens"), format=TIME_FORMATS, validators=[required()])
    check_out_end = TimeField(_l("Check-out closes"), format=TIME_FORMATS, validators=[optional()])

    def values(self) -> dict:
        """The plain values :func:`app.schedules.services.create_schedule` takes."""
        return {key: getattr(self, key).data for key in
                ("name", "check_in_start", "check_in_end", "check_out_start", "check_out_end", "late_after")}


class NewWorkScheduleForm(WorkScheduleForm):
    """Creating a schedule may also make it the active one."""

    is_active = BooleanField(_l("Make this the active schedule"))

    def values(self) -> dict:
        """The plain values, with ``is_active``."""
        return {**super().values(), "is_active": bool(self.is_active.data)}
