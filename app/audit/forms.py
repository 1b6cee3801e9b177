"""The audit page's filters (a GET form: no CSRF)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, SelectField, StringField
from wtforms.validators import Optional

from ..admin.forms import max_length


def _optional_int(value):
    """``""``/None → None, else ``int(value)`` (ValueError for anything else)."""
    return None if value in (None, "", "None") else int(value)


class AuditFilterForm(Form):
    """``actor``: a user id; ``action``: an action code or group; ``q``: part of the affected
    person's name or number; ``person``: a person's id (links from their page); ``start`` /
    ``end``: local dates."""

    actor = SelectField(_l("Who"), choices=[], coerce=_optional_int, validate_choice=True, validators=[Optional()])
    action = SelectField(_l("Action"), choices=[], validate_choice=True, validators=[Optional()])
    q = StringField(_l("Person"), validators=[Optional(), max_length(100)])
    person = StringField(validators=[Optional()])
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
