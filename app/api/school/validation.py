"""Request parsing of the ``school`` dialect: JSON (or form) bodies checked field by field.

Messages follow Laravel's validator wording, as the contract's clients expect;
errors are collected in a dict keyed by field and raised together as
:class:`~app.common.errors.ValidationFailed` (422).
"""
from __future__ import annotations

import re

from flask import request

from ...accounts.services import EMAIL_RE
from ...common.errors import Conflict, ValidationFailed

_MISSING = object()


def body() -> dict:
    """The request's JSON object (or form fields); anything else is an empty dict."""
    data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    return data if isinstance(data, dict) else {}


def _label(field: str) -> str:
    return field.replace("_", " ")


class Checker:
    """Collects field errors of one request body; :meth:`done` raises them together."""

    def __init__(self, data: dict):
        self.data = data
        self.errors: dict[str, list[str]] = {}
        self.clean: dict = {}

    def fail(self, field: str, message: str) -> None:
        """Record an error for ``field`` (first one wins)."""
        self.errors.setdefault(field, [message])

    def string(self, field: str, *, required: bool = False, nullable: bool = True, max_length: int = 255,
               allow_int: bool = False, email: bool = False) -> None:
        """Check a text field; present keys land in :attr:`clean` (stripped, '' → None).

        :param required: the key must be present and non-empty.
        :param nullable: an explicit null/empty value is accepted (clears the field).
        :param allow_int: a JSON integer is accepted and turned into text (identifiers).
        """
        value = self.data.get(field, _MISSING)
        if value is _MISSING:
            if required:
                self.fail(field, f"The {_label(field)} field is required.")
            return
        if allow_int and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            self.fail(field, f"The {_label(field)} must be a string.")
            return
        value = (value or "").strip() or None
        if value is None:
            if required or not nullable:
                self.fail(field, f"The {_label(field)} field is required.")
                return
        elif len(value) > max_length:
            self.fail(field, f"The {_label(field)} may not be greater than {max_length} characters.")
            return
        elif email and (len(value) > 254 or not EMAIL_RE.match(value)):
            self.fail(field, f"The {_label(field)} must be a valid email address.")
            return
        self.clean[field] = value.lower() if (email and value) else value

    def boolean(self, field: str) -> None:
        """Check an optional boolean (``true/false``, ``1/0``, ``"1"/"0"``, ``"true"/"false"``)."""
        value = self.data.get(field, _MISSING)
        if value is _MISSING:
            return
        parsed = parse_bool(value)
        if parsed is None:
            self.fail(field, f"The {_label(field)} field must be true or false.")
        else:
            self.clean[field] = parsed

    def integer(self, field: str, *, required: bool = False) -> None:
        """Check an integer field (a JSON integer or a string of digits)."""
        value = self.data.get(field, _MISSING)
        if value is _MISSING:
            if required:
                self.fail(field, f"The {_label(field)} field is required.")
            return
        parsed = parse_int(value)
        if parsed is None:
            self.fail(field, f"The {_label(field)} must be an integer.")
        else:
            self.clean[field] = parsed

    def done(self) -> dict:
        """The clean values; :raises ValidationFailed: when any field was refused."""
        if self.errors:
            raise ValidationFailed(self.errors)
        return self.clean


def parse_bool(value) -> bool | None:
    """``True``/``False`` for the accepted spellings, None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("1", "0", "true", "false"):
        return value.strip().lower() in ("1", "true")
    return None


def parse_int(value) -> int | None:
    """An int from a JSON integer or a digit string (at most 9 digits), None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,9}", value.strip()):
        return int(value.strip())
    return None


def unique_failed(exc: Conflict) -> ValidationFailed:
    """A service's "already taken" conflict as the 422 Laravel gives (``unique`` rule)."""
    field = exc.field or "_"
    return ValidationFailed({field: [f"The {_label(field)} has already been taken."]})
