"""Admin forms of the roster pages: shift patterns, applying one, a cell, a swap, the CSV import."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import NumberRange

from ..admin.forms import AdminForm, max_length, optional, required


class PatternForm(AdminForm):
    """A shift pattern: its name and its cycle as codes (``P, P, S, S, M, M, L, L``)."""

    name = StringField(_l("Name"), validators=[required(), max_length(100)])
    steps = StringField(_l("Cycle"), validators=[required(), max_length(1000)],
                        description=_l("The shift codes of one cycle, day by day, separated by commas; "
                                       "L or - for a day off. E.g. P, P, S, S, M, M, L, L."))


class ApplyPatternForm(AdminForm):
    """Apply a pattern to a department (its people now) or one person, for a date range."""

    pattern_id = SelectField(_l("Shift pattern"), coerce=int, validate_choice=True)
    target = RadioField(_l("For"), choices=(("department", _l("A department")), ("user", _l("A person"))),
                        default="department")
    department_id = SelectField(_l("Department"), coerce=int, validate_choice=True, default=0,
                                description=_l("Its active people now, sub-departments not included."))
    person = StringField(_l("Person"), validators=[optional(), max_length(254)],
                         description=_l("Email, NPP or NISN/NIP/NIK; start typing a name to choose."))
    starts_on = DateField(_l("From"), validators=[required()])
    ends_on = DateField(_l("Until"), validators=[required()], description=_l("At most 366 days at once."))
    anchor_on = DateField(_l("Cycle starts on"), validators=[optional()],
                          description=_l("The date of the cycle’s first day. Empty: the first date. Use the same "
                                         "date every month and the cycle continues."))
    stagger_by = IntegerField(_l("Stagger (days)"), validators=[optional(), NumberRange(0, 62, _l("From 0 to 62."))],
                              default=0, description=_l("Each next person (by name) starts this many days further "
                                                        "in the cycle, so that the team covers every shift. "
                                                        "0: everyone works the same days."))


class CellForm(AdminForm):
    """Changing one roster cell: the CSRF token (the choice is the pressed button's value)."""


class SwapForm(AdminForm):
    """Swap a cell with another person's cell (or the same person's on another day)."""

    other_user_id = SelectField(_l("Swap with"), coerce=int, validate_choice=False)
    other_day = DateField(_l("On"), validators=[required()])


class RosterImportForm(AdminForm):
    """Uploading a month's roster as CSV (see :mod:`app.schedules.roster_views.imports`)."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))],
                     description=_l("UTF-8, separated by commas or semicolons, with a header row."))


class RosterImportConfirmForm(AdminForm):
    """Confirming a previewed roster import: ``token`` names the file kept since the preview."""

    token = HiddenField(validators=[required()])
