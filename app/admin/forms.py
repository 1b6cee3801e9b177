"""What every admin form shares: translated WTForms messages and service errors shown at the field."""
from __future__ import annotations

from flask_babel import gettext, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm

from ..common.boundary import refuse
from ..common.errors import Conflict, DomainError, ValidationFailed
from .messages import translate_message


class _BabelTranslations:
    """WTForms' own messages ("Not a valid integer value.") through the app's catalogs."""

    def gettext(self, string):
        """Translate one WTForms message."""
        return gettext(string)

    def ngettext(self, singular, plural, n):
        """Translate one WTForms message with a count."""
        return ngettext(singular, plural, n)


_TRANSLATIONS = _BabelTranslations()

#: WTForms' own messages (its fields that parse their input), which live in WTForms' code:
#: listed here so that ``pybabel extract`` puts them in the catalogs.
WTFORMS_MESSAGES = (
    _l("Not a valid integer value."),
    _l("Not a valid float value."),
    _l("Not a valid decimal value."),
    _l("Not a valid time value."),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("This field is required."),
    _l("Invalid input."),
)


class AdminForm(FlaskForm):
    """Base of the admin forms: CSRF-protected (Flask-WTF), messages in the user's language."""

    class Meta:
        """WTForms settings: messages through Flask-Babel."""

        def get_translations(self, form):
            """The translations object WTForms uses for its own messages."""
            return _TRANSLATIONS

    def add_error(self, field_name: str | None, message) -> None:
        """Show ``message`` next to ``field_name`` (or above the form if there is no such field)."""
        field = self._fields.get(field_name) if field_name else None
        if field is None:
            self.form_errors.append(message)
            return
        errors = list(field.errors or [])
        if message not in errors:
            errors.append(message)
        field.errors = errors

    def call(self, action, field_map: dict[str, str] | None = None,
             conflict_messages: dict[str, str] | None = None) -> tuple[bool, object]:
        """Run the service call ``action()`` for this form.

        :returns: ``(True, result)``; or, when the service refuses with a
            :class:`~app.common.errors.DomainError`, ``(False, None)`` after rolling
            back and showing the refusal next to its field (see :meth:`apply_domain_error`).
        """
        try:
            return True, action()
        except DomainError as exc:
            refuse()
            self.apply_domain_error(exc, field_map, conflict_messages)
            return False, None

    def apply_domain_error(self, exc: DomainError, field_map: dict[str, str] | None = None,
                           conflict_messages: dict[str, str] | None = None) -> None:
        """Put a service's refusal next to the fields it names.

        :param field_map: service field name → form field name (``radius`` →
            ``geofence_radius_m``).
        :param conflict_messages: form field name → translated message for a
            :class:`~app.common.errors.Conflict` on that field (the services'
            conflict texts contain the offending value); ``"<field>:deleted"``
            for a conflict with a deleted person (``exc.details["deleted"]``).
        """
        field_map = field_map or {}
        if isinstance(exc, ValidationFailed):
            for name, messages in exc.errors.items():
                for message in messages:
                    self.add_error(field_map.get(name, name), translate_message(message))
            return
        name = field_map.get(exc.field, exc.field)
        if isinstance(exc, Conflict) and conflict_messages and name in conflict_messages:
            deleted = exc.details.get("deleted") and f"{name}:deleted" in conflict_messages
            self.add_error(name, conflict_messages[f"{name}:deleted" if deleted else name])
        else:
            self.add_error(name, translate_message(exc.message))


def required(message=None):
    """``InputRequired`` with the admin app's translated message."""
    from wtforms.validators import InputRequired

    return InputRequired(message=message or _l("This field is required."))


def optional():
    """``Optional``: an empty value skips the other validators."""
    from wtforms.validators import Optional

    return Optional()


def max_length(n: int):
    """``Length(max=n)`` with a translated message."""
    from wtforms.validators import Length

    return Length(max=n, message=_l("At most %(max)d characters."))
