"""Admin forms of attendance: deciding flagged events (review inbox), the report's filters, corrections."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (DateField, Form, IntegerField, RadioField, SelectField, SelectMultipleField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import Optional

from ..admin.forms import AdminForm, max_length, required


def _optional_int(value):
    """``""``/None → None, else ``int(value)`` (ValueError for anything else)."""
    return None if value in (None, "", "None") else int(value)


class RejectEventForm(AdminForm):
    """Rejecting a flagged event needs a reason (the person sees it)."""

    note = TextAreaField(_l("Reason for rejecting"),
                         validators=[required(_l("A reason is required to reject.")), max_length(1000)])


class BulkApproveForm(AdminForm):
    """The checked events of the review list (``event_ids``, one value per checkbox)."""

    event_ids = SelectMultipleField(coerce=int, validate_choice=False,
                                    validators=[required(_l("Select at least one event."))])


class ReportFilterForm(Form):
    """The attendance report's filters, read from the query string (a GET form: no CSRF).

    ``start``/``end``: local dates (default: the first of this month .. today);
    ``role``: a role key or empty; ``q``: part of a name or an identifier.  A field per
    registered :class:`~app.attendance.reports.PeopleGroup` is added by
    :func:`report_filter_form`.
    """

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    role = SelectField(_l("Role"), choices=[], validate_choice=True, validators=[Optional()])
    q = StringField(_l("Search"), validators=[Optional(), max_length(100)])


def report_filter_form(groups) -> type[ReportFilterForm]:
    """The report's filter form with one optional select per group of ``groups``
    (:class:`~app.attendance.reports.PeopleGroup`), named by its ``param`` and holding
    a group id (int) or None; its choices are set by the caller."""
    if not groups:
        return ReportFilterForm
    fields = {group.param: SelectField(group.label, choices=[], coerce=_optional_int, validate_choice=True,
                                       validators=[Optional()])
              for group in groups}
    return type("GroupedReportFilterForm", (ReportFilterForm,), fields)


class RecapFilterForm(Form):
    """The monthly recap's filters, read from the query string (a GET form: no CSRF).

    ``month``: ``YYYY-MM`` (default this month); ``population``: ``staff`` (employees and
    clinic staff) or ``students``; ``office``, ``department``: codes (empty: all); one field per
    registered people group (:func:`recap_filter_form`, a school's class for its students).
    """

    month = StringField(_l("Month"), validators=[Optional(), max_length(7)])
    population = SelectField(_l("Who"), choices=[], default="staff", validators=[Optional()])
    office = SelectField(_l("Office"), choices=[], validators=[Optional()])
    department = SelectField(_l("Department"), choices=[], validators=[Optional()])


def recap_filter_form(groups) -> type[RecapFilterForm]:
    """The recap's filter form with one optional select per registered people group (named by
    its ``param``, holding a group id or None); choices are set by the caller."""
    if not groups:
        return RecapFilterForm
    fields = {group.param: SelectField(group.label, choices=[], coerce=_optional_int, validate_choice=True,
                                       validators=[Optional()])
              for group in groups}
    return type("GroupedRecapFilterForm", (RecapFilterForm,), fields)


#: What a correction of one day does (the form's ``kind``).
CORRECTION_KINDS = (("times", _l("Add a missing check-in or check-out")),
                    ("leave", _l("Mark as leave")),
                    ("absent", _l("Mark as absent")))
#: Leave types a correction may mark (app.attendance.corrections.CORRECTION_LEAVE_TYPES).
CORRECTION_LEAVE_CHOICES = (("sakit", _l("Sick leave")), ("izin", _l("Permission")),
                            ("dinas_luar", _l("Off-site duty")))


class CorrectionForm(AdminForm):
    """Correcting one person's day: the ``kind``, its fields, and the reason (always required).

    ``check_in`` / ``check_out``: local times of the work day; ``note``: the leave's own text
    (e.g. the sick note)."""

    kind = RadioField(_l("Correction"), choices=CORRECTION_KINDS, default="times",
                      validators=[required(_l("Choose what to correct."))])
    check_in = TimeField(_l("Check-in time"), validators=[Optional()])
    check_out = TimeField(_l("Check-out time"), validators=[Optional()],
                          description=_l("Earlier than the check-in: the next morning (a night shift)."))
    leave_type = SelectField(_l("Leave type"), choices=CORRECTION_LEAVE_CHOICES, default="sakit")
    note = TextAreaField(_l("Note (e.g. the doctor’s letter)"), validators=[Optional(), max_length(500)])
    reason = TextAreaField(_l("Reason for the correction"),
                           validators=[required(_l("A reason is required for a correction.")), max_length(500)])


class BulkLeaveForm(AdminForm):
    """A department or an office on one date marked as leave (business trip, office closure).

    The first post shows how many people it marks; the second carries that number back as
    ``expected`` with ``confirm``."""

    work_date = DateField(_l("Date"), validators=[required()])
    department_id = SelectField(_l("Department"), choices=[], coerce=_optional_int, validate_choice=False,
                                validators=[Optional()])
    office_id = SelectField(_l("Office"), choices=[], coerce=_optional_int, validate_choice=False,
                            validators=[Optional()])
    leave_type = SelectField(_l("Mark as"), choices=CORRECTION_LEAVE_CHOICES[1:] + CORRECTION_LEAVE_CHOICES[:1],
                             default="dinas_luar")
    reason = TextAreaField(_l("Reason"), validators=[required(_l("A reason is required for a correction.")),
                                                     max_length(500)])
    expected = IntegerField(validators=[Optional()])
    confirm = StringField(validators=[Optional()])
