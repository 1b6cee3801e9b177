"""Admin forms of the schedule pages: a work schedule (jam kerja) with all its rules, and
a schedule assignment (a person, a department or an office, from–to)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.fields import ColorField, TimeField
from wtforms.validators import NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from ..admin.forms import AdminForm, max_length, optional, required

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]
#: ISO weekday → label of the working-days checkboxes (Monday first, as in Indonesia).
WEEKDAY_LABELS = (
    (1, _l("Monday")), (2, _l("Tuesday")), (3, _l("Wednesday")), (4, _l("Thursday")),
    (5, _l("Friday")), (6, _l("Saturday")), (7, _l("Sunday")),
)
LATE_POLICY_CHOICES = (
    ("refuse", _l("Refuse it: the apps and the kiosk say check-in is closed")),
    ("record_late", _l("Record it as late and flag it for review, until the cut-off time")),
)
MISSED_CHECK_OUT_CHOICES = (
    ("close_at_end", _l("Close the day at the scheduled end: counted, flagged for review")),
    ("leave_open", _l("Leave the day open until someone corrects it")),
)
#: Minute fields that default to 0 when left empty (the service's defaults).
_ZERO_WHEN_EMPTY = ("grace_minutes", "early_leave_threshold_minutes", "overtime_auto_approve_minutes")


def _minutes(label, description, default=None):
    """A whole number of minutes 0..240 (the service's range, :data:`~app.schedules.services.MINUTE_FIELDS`)."""
    return IntegerField(label, validators=[optional(), NumberRange(0, 240, _l("Enter whole minutes from 0 to 240."))],
                        default=default, description=description)


class WorkScheduleForm(AdminForm):
    """Every field of a work schedule (local times ``HH:MM``, whole minutes), in the page's order.

    :meth:`values` gives the plain values of :func:`app.schedules.services.create_schedule`.
    """

    name = StringField(_l("Name"), validators=[required(), max_length(100)])
    code = StringField(_l("Short code"), validators=[optional(), max_length(8)],
                       description=_l("1 to 8 letters or digits shown in the roster, e.g. P (pagi), S, M."))
    color = ColorField(_l("Colour"), validators=[optional()], default="#1e88e5",
                       description=_l("Colour of its cells in the roster."))

    check_in_start = TimeField(_l("Check-in opens"), format=TIME_FORMATS, validators=[required()])
    check_in_end = TimeField(_l("Check-in closes"), format=TIME_FORMATS, validators=[optional()],
                             description=_l("Empty: until check-out opens."))
    late_after = TimeField(_l("Work starts (late after)"), format=TIME_FORMATS, validators=[optional()],
                           description=_l("Empty: lateness is not tracked."))
    grace_minutes = _minutes(_l("Grace period (minutes)"),
                             _l("Arriving within this many minutes after the start is still on time; later "
                                "counts all minutes from the start."), 0)
    late_policy = RadioField(_l("A check-in after check-in closes"), choices=LATE_POLICY_CHOICES, default="refuse")
    late_cutoff = TimeField(_l("Cut-off for late check-ins"), format=TIME_FORMATS, validators=[optional()],
                            description=_l("Needed for recording late check-ins: after this time check-in is "
                                           "refused."))

    check_out_start = TimeField(_l("Check-out opens"), format=TIME_FORMATS, validators=[required()])
    check_out_end = TimeField(_l("Check-out closes"), format=TIME_FORMATS, validators=[optional()],
                              description=_l("Empty: until the next check-in opens."))
    work_end = TimeField(_l("Work ends"), format=TIME_FORMATS, validators=[optional()],
                         description=_l("Empty: when check-out opens. Leaving before it is early leave; "
                                        "working after it may be overtime."))
    early_leave_threshold_minutes = _minutes(_l("Early-leave threshold (minutes)"),
                                             _l("Leaving up to this many minutes early is not counted."), 0)
    missed_check_out_policy = RadioField(_l("When nobody checks out before check-out closes"),
                                         choices=MISSED_CHECK_OUT_CHOICES, default="close_at_end")
    reminder_lead_minutes = _minutes(_l("Reminder (minutes before check-out closes)"),
                                     _l("The person gets a notification this long before check-out closes; "
                                        "0: no reminder."), 30)

    working_weekdays = SelectMultipleField(_l("Working days"), coerce=int, choices=WEEKDAY_LABELS,
                                           validate_choice=True, default=[1, 2, 3, 4, 5],
                                           widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                           description=_l("Other days are days off (nobody is absent). A roster "
                                                          "decides its own days."))

    overtime_threshold_minutes = _minutes(_l("Overtime from (minutes)"),
                                          _l("Minutes worked after the end that count as overtime once they "
                                             "reach this. Empty: overtime is not tracked."))
    overtime_auto_approve_minutes = _minutes(_l("Approved automatically up to (minutes)"),
                                             _l("Longer claims wait in the review inbox. At most 240 (4 hours a "
                                                "day, PP 35/2021)."), 0)
    overtime_before_start = BooleanField(_l("Minutes worked before the start count as overtime too"))

    def values(self) -> dict:
        """The plain values :func:`app.schedules.services.create_schedule` takes (all keys)."""
        values = {key: getattr(self, key).data for key in (
            "name", "code", "color", "check_in_start", "check_in_end", "late_after", "grace_minutes", "late_policy",
            "late_cutoff", "check_out_start", "check_out_end", "work_end", "early_leave_threshold_minutes",
            "missed_check_out_policy", "reminder_lead_minutes", "overtime_threshold_minutes",
            "overtime_auto_approve_minutes")}
        for key in _ZERO_WHEN_EMPTY:
            if values[key] is None:
                values[key] = 0
        if values["reminder_lead_minutes"] is None:
            values["reminder_lead_minutes"] = 0
        values["code"] = (values["code"] or "").strip()
        values["working_weekdays"] = list(self.working_weekdays.data or [])
        values["overtime_before_start"] = bool(self.overtime_before_start.data)
        return values


class NewWorkScheduleForm(WorkScheduleForm):
    """Creating a schedule may also make it the organisation's default."""

    is_active = BooleanField(_l("Make this the organisation’s default schedule"))

    def values(self) -> dict:
        """The plain values, with ``is_active``."""
        return {**super().values(), "is_active": bool(self.is_active.data)}


#: Who an assignment is for.
TARGET_CHOICES = (("user", _l("A person")), ("department", _l("A department")), ("office", _l("An office")))


class AssignmentForm(AdminForm):
    """A schedule for one person, department or office from a date (to a date, or open-ended).

    The person is typed as their email, NPP or NISN/NIP/NIK (the page offers a list).
    """

    target = RadioField(_l("For"), choices=TARGET_CHOICES, default="department")
    person = StringField(_l("Person"), validators=[optional(), max_length(254)],
                         description=_l("Email, NPP or NISN/NIP/NIK; start typing a name to choose."))
    department_id = SelectField(_l("Department"), coerce=int, validate_choice=True, default=0)
    office_id = SelectField(_l("Office"), coerce=int, validate_choice=True, default=0)
    starts_on = DateField(_l("From"), validators=[required()])
    ends_on = DateField(_l("Until"), validators=[optional()], description=_l("Empty: until further notice."))

    def set_choices(self, departments, offices, none_label) -> None:
        """Offer ``departments`` (tree rows) and ``offices`` (value 0: none chosen)."""
        self.department_id.choices = [(0, none_label)] + [
            (row.department.id, "\u2003" * row.depth + f"{row.department.code} · {row.department.name}")
            for row in departments]
        self.office_id.choices = [(0, none_label)] + [(o.id, f"{o.code} · {o.name}") for o in offices]


class AssignmentDatesForm(AdminForm):
    """Changing the dates of an assignment."""

    starts_on = DateField(_l("From"), validators=[required()])
    ends_on = DateField(_l("Until"), validators=[optional()])


class PersonAssignmentForm(AdminForm):
    """On a person's page: their own schedule from a date (to a date)."""

    schedule_id = SelectField(_l("Work schedule"), coerce=int, validate_choice=True)
    starts_on = DateField(_l("From"), validators=[required()])
    ends_on = DateField(_l("Until"), validators=[optional()], description=_l("Empty: until further notice."))
