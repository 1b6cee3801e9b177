"""Domain errors raised by services and translated by each view or dialect.

Each error carries a machine ``code`` (stable, snake_case), a human message,
and optionally the ``field`` it concerns.  Dialects map codes to their own
status codes and bodies; services never know which client called them.
"""
from __future__ import annotations


class DomainError(Exception):
    """Base of every business-rule refusal.

    :param message: human-readable English text (dialects may replace it with
        their contract's wording).
    :param field: the request field at fault, if any.
    """

    code = "domain_error"
    #: The message when none is given (marked with ``N_`` where a subclass sets it, so the
    #: catalogs extract it); else the first line of the class docstring.
    default_message: str | None = None

    def __init__(self, message: str | None = None, *, field: str | None = None, **details):
        super().__init__(message or self.default_message or self.__doc__.strip().splitlines()[0])
        self.message = str(self.args[0])
        self.field = field
        self.details = details


class ValidationFailed(DomainError):
    """The input is not valid."""

    code = "validation_failed"

    def __init__(self, errors: dict[str, list[str]] | str, field: str | None = None):
        if isinstance(errors, str):
            errors = {field or "_": [errors]}
        self.errors = errors
        super().__init__("Validation failed", field=next(iter(errors), None))


class NotFound(DomainError):
    """The thing asked for does not exist."""

    code = "not_found"


class Conflict(DomainError):
    """The request conflicts with what is already recorded."""

    code = "conflict"


class RuleViolation(DomainError):
    """A business rule refuses the request."""

    code = "rule_violation"


class PermissionDenied(DomainError):
    """The acting user may not do this."""

    code = "permission_denied"
