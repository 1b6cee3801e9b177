"""Forms of one's own pages: profile, password change, device-reset request."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField, TextAreaField
from wtforms.validators import Optional

from ..accounts.passwords import MAX_PASSWORD_LENGTH
from ..admin.forms import AdminForm, max_length, required


class ProfileForm(AdminForm):
    """What a person may change about themselves (as the apps' ``PUT /profile``): name, email, phone.
    Role, identifiers, office and department stay with the administrators."""

    name = StringField(_l("Name"), validators=[required(_l("Enter your name.")), max_length(120)])
    email = StringField(_l("Email"), validators=[Optional(), max_length(254)])
    phone = StringField(_l("Phone"), validators=[Optional(), max_length(32)])


class PasswordForm(AdminForm):
    """Change one's own password: the current one, the new one twice (the one password policy)."""

    current_password = PasswordField(_l("Current password"),
                                     validators=[required(_l("Enter your current password.")), max_length(1024)])
    new_password = PasswordField(_l("New password"), validators=[required(_l("Enter the new password.")),
                                                                 max_length(MAX_PASSWORD_LENGTH)])
    confirm_password = PasswordField(_l("New password again"),
                                     validators=[required(_l("Enter the new password again."))])


class DeviceResetForm(AdminForm):
    """Ask for one's phone binding to be released (10 to 1000 characters of reason)."""

    reason = TextAreaField(_l("Why do you need a new phone?"),
                           validators=[required(_l("Enter the reason.")), max_length(1000)])
