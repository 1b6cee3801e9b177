"""Admin forms of the escorts page: the list's filters (GET), a status change, a delete."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, HiddenField, SelectField, StringField
from wtforms.validators import Optional

from ..admin.forms import AdminForm, max_length, required
from .models import CATEGORIES, STATUSES


class EscortFilterForm(Form):
    """The list's filters, read from the query string (a GET form: no CSRF).

    ``start``/``end``: local dates of registration (default: today .. today);
    ``category``/``status``: a stored key or empty; ``q``: part of a name, phone,
    plate number, patient's name or submission id.
    """

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    category = SelectField(_l("Category"), choices=[("", "")] + [(c, c) for c in CATEGORIES],
                           validators=[Optional()])
    status = SelectField(_l("Status"), choices=[("", "")] + [(s, s) for s in STATUSES], validators=[Optional()])
    q = StringField(_l("Search"), validators=[Optional(), max_length(100)])


class EscortStatusForm(AdminForm):
    """Verify, reject or set back to pending one escort; ``next``: the page to return to without htmx."""

    status = SelectField(_l("Status"), choices=[(s, s) for s in STATUSES],
                         validators=[required(_l("Choose a status."))])
    next = HiddenField()


class EscortDeleteForm(AdminForm):
    """Delete one escort (the confirmation page's form); ``next``: where to go afterwards."""

    next = HiddenField()
