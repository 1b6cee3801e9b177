"""Admin forms of the school: a class, and the small enrolment / attendance actions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField

from ..admin.forms import AdminForm, max_length, optional, required


class ClassForm(AdminForm):
    """A class's name (unique, at most 100 characters) and optional homeroom teacher.

    ``homeroom_teacher_id`` is a user id; ``0`` means none.  Its choices are set
    by :meth:`set_teacher_choices`.
    """

    name = StringField(_l("Name"), validators=[required(), max_length(100)],
                       description=_l("For example “X IPA 1”. Each class has its own name."))
    homeroom_teacher_id = SelectField(_l("Homeroom teacher"), coerce=int, validate_choice=True,
                                      description=_l("An active teacher or the principal."))

    def set_teacher_choices(self, teachers, empty_label) -> None:
        """Offer ``teachers`` (users, shown as "name · role") after an empty choice labelled ``empty_label``."""
        from ..admin.filters import role_label

        self.homeroom_teacher_id.choices = [(0, empty_label)] + [
            (t.id, f"{t.name} · {role_label(t.role)}") for t in teachers]

    def values(self) -> dict:
        """The keyword arguments of :func:`~app.school.services.create_class`."""
        return dict(name=self.name.data, homeroom_teacher_id=self.homeroom_teacher_id.data or None)


class StudentActionForm(AdminForm):
    """One student and an academic year: enrol, remove, move (``target_class_id``) or mark present.

    ``q`` carries the enrol picker's search so that its results can be shown again.
    """

    student_id = IntegerField(_l("Student"), validators=[required()])
    academic_year = IntegerField(_l("Academic year"), validators=[optional()])
    target_class_id = IntegerField(_l("Move to"), validators=[optional()])
    q = StringField(validators=[optional(), max_length(100)])


#: The roll call's marks of a student who is not in class: (kind, label).
ABSENCE_CHOICES = (("sick", _l("Sick")), ("permitted", _l("Permitted")), ("absent", _l("Absent")))


class StudentMarkForm(AdminForm):
    """The roll call's mark of one student who is not in class today: ``kind`` (sick, permitted,
    absent) and an optional ``note`` (at most 500 characters)."""

    student_id = IntegerField(_l("Student"), validators=[required()])
    kind = SelectField(_l("Reason"), choices=ABSENCE_CHOICES, validators=[required()])
    note = StringField(_l("Note"), validators=[optional(), max_length(500)])


class ConfirmForm(AdminForm):
    """Only the CSRF token: the button of a confirmed action (delete a class, mark all present)."""
