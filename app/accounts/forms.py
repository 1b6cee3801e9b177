"""Admin forms for users, the users CSV import and device-reset decisions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField, TextAreaField

from ..admin.forms import AdminForm, max_length, optional, required
from .roles import ROLES
from .services import MIN_PASSWORD_LENGTH


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
    is_active = BooleanField(_l("Active (may sign in)"), default=True)
    password = PasswordField(_l("New password"), validators=[optional(), max_length(1024)])

    def set_office_choices(self, offices, none_label) -> None:
        """Offer ``offices`` (and "no office", value 0) in the office select."""
        self.office_id.choices = [(0, none_label)] + [(o.id, f"{o.code} · {o.name}") for o in offices]

    def values(self, office_by_id: dict) -> dict:
        """The keyword arguments of :func:`~app.accounts.services.update_user`."""
        return dict(name=self.name.data, email=self.email.data, npp=self.npp.data,
                    nisn_nip_nik=self.nisn_nip_nik.data, role=self.role.data,
                    office=office_by_id.get(self.office_id.data), is_active=bool(self.is_active.data))


class NewUserForm(UserForm):
    """Creating a user: the password is required."""

    password = PasswordField(_l("Password"), validators=[required(), max_length(1024)],
                             description=_l("At least %(n)d characters.", n=MIN_PASSWORD_LENGTH))


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
