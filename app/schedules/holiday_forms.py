"""Admin forms of the holiday calendar."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange

from ..admin.forms import AdminForm, max_length, required


class HolidayForm(AdminForm):
    """The organisation's own day off: date, name, and for whom (everyone, or one office)."""

    on_date = DateField(_l("Date"), validators=[required()])
    name = StringField(_l("Name"), validators=[required(), max_length(200)])
    office_id = SelectField(_l("For"), coerce=int, validate_choice=True, default=0,
                            description=_l("A local day off (e.g. a regional anniversary) can be for one office only."))

    def set_office_choices(self, offices, everyone_label) -> None:
        """Everyone (value 0), then each office."""
        self.office_id.choices = [(0, everyone_label)] + [(o.id, f"{o.code} · {o.name}") for o in offices]


class RenameHolidayForm(AdminForm):
    """A holiday's new name."""

    name = StringField(_l("Name"), validators=[required(), max_length(200)])


class ImportYearForm(AdminForm):
    """Which year to import from the national calendar."""

    year = IntegerField(_l("Year"), validators=[required(), NumberRange(2000, 2100)])
