"""Admin forms for users, the users CSV import and device-reset decisions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from ..admin.forms import AdminForm, max_length, optional, required
from .passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordRejected, check_new_password
from .roles import ROLES

#: The password policy's refusals (:func:`~app.accounts.passwords.check_new_password`) as the
#: admin pages and the users CSV import show them.
PASSWORD_MESSAGES = {
    "required": _l("This field is required."),
    "too_short": _l("The password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
    "too_long": _l("The password may not be greater than %(n)d characters.", n=MAX_PASSWORD_LENGTH),
    "blank": _l("The password may not consist of spaces only."),
}
PASSWORD_HINT = _l("%(min)d to %(max)d characters, not only spaces.", min=MIN_PASSWORD_LENGTH,
                   max=MAX_PASSWORD_LENGTH)


def password_policy(form, field) -> None:
    """WTForms validator: a non-empty value must meet the password policy (translated refusal)."""
    if field.data:
        try:
            check_new_password(field.data)
        except PasswordRejected as exc:
            raise ValidationError(PASSWORD_MESSAGES[exc.reason]) from None


def _role_choices():
    return [(role.key, role.label) for role in ROLES]


class UserForm(AdminForm):
    """Editing a user: identifiers, role, office, active; a new password is optional."""

    name = StringField(_l("Full name"), validators=[required(), max_length(120)])
    email = StringField(_l("Email"), validators=[optional(), max_length(254)])
    npp = StringField(_l("NPP (employee number)"), validators=[optional(), max_length(32)])
    nisn_nip_nik = StringField(_l("NISN / NIP / NIK"), validators=[optional(), max_length(32)])
    role = SelectField(_l("Role"), choices=_role_choices, validators=[required()])
    office_id = SelectField(_l("Office"), coerce=int, validate_choice=True)
    department_id = SelectField(_l("Department"), coerce=int, validate_choice=True, default=0,
                                description=_l("Their department’s work schedule applies unless they have their own."))
    position = StringField(_l("Position"), validators=[optional(), max_length(120)],
                           description=_l("Job title (jabatan), e.g. Perawat Pelaksana."))
    is_active = BooleanField(_l("Active (may sign in)"), default=True)
    annual_leave_days = StringField(_l("Annual leave (working days a year)"), validators=[optional(), max_length(3)],
                                    description=_l("Blank: the organisation's setting. 0 before 12 months of "
                                                   "service; more when the contract gives more."))
    # strip_whitespace=False: a password of spaces is refused by the policy, not taken as "unchanged"
    password = PasswordField(_l("New password"), validators=[Optional(strip_whitespace=False), password_policy],
                             description=PASSWORD_HINT)

    def set_office_choices(self, offices, none_label) -> None:
        """Offer ``offices`` (and "no office", value 0) in the office select."""
        self.office_id.choices = [(0, none_label)] + [(o.id, f"{o.code} · {o.name}") for o in offices]

    def set_department_choices(self, rows, none_label) -> None:
        """Offer the departments of ``rows`` (tree rows, indented) and "no department" (value 0)."""
        self.department_id.choices = [(0, none_label)] + [
            (row.department.id, "\u2003" * row.depth + f"{row.department.code} · {row.department.name}")
            for row in rows]

    def values(self, office_by_id: dict, department_by_id: dict | None = None) -> dict:
        """The keyword arguments of :func:`~app.accounts.services.update_user`."""
        department_by_id = department_by_id or {}
        return dict(name=self.name.data, email=self.email.data, npp=self.npp.data,
                    nisn_nip_nik=self.nisn_nip_nik.data, role=self.role.data,
                    office=office_by_id.get(self.office_id.data),
                    department=department_by_id.get(self.department_id.data), position=self.position.data,
                    is_active=bool(self.is_active.data))


class NewUserForm(UserForm):
    """Creating a user: the password is required."""

    password = PasswordField(_l("Password"), validators=[required(), password_policy],
                             description=PASSWORD_HINT)


class RejectDeviceResetForm(AdminForm):
    """Rejecting a device reset needs a note for the person."""

    admin_notes = TextAreaField(_l("Reason for rejecting"),
                                validators=[required(_l("A note is required to reject a request.")),
                                            max_length(1000)])


class UserImportForm(AdminForm):
    """Uploading a CSV file of students and teachers (see :mod:`app.accounts.csv_import`)."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))],
                     description=_l("UTF-8, separated by commas or semicolons, with a header row."))


class UserImportConfirmForm(AdminForm):
    """Confirming a previewed import: ``token`` names the file kept on the server since the preview."""

    token = HiddenField(validators=[required()])


class BulkUsersForm(AdminForm):
    """An action on the people ticked in the users list (``user_ids``); ``confirm`` set on the
    confirmation page's post, which applies it (the first post only shows who and how many)."""

    user_ids = SelectMultipleField(coerce=int, validate_choice=False)
    action = SelectField(_l("Action"), choices=[
        ("move_office", _l("Move to an office")), ("move_department", _l("Move to a department")),
        ("deactivate", _l("Deactivate")), ("reset_device", _l("Release the bound phone"))],
        validators=[required(_l("Choose an action."))])
    office_id = SelectField(_l("Office"), coerce=int, validate_choice=False, default=0)
    department_id = SelectField(_l("Department"), coerce=int, validate_choice=False, default=0)
    confirm = HiddenField()
