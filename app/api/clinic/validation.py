"""Request bodies of the clinic dialect, checked field by field (Laravel's validator wording).

:func:`json_body` reads the body: a body that is not JSON → 415, malformed JSON →
400 (both in the envelope, via :func:`app.api.clinic.render_http_error`), a JSON
value that is not an object → 422 ``errors.body``.  :class:`Checker` collects
every refused field and raises them together as
:class:`~app.common.errors.ValidationFailed` (422 ``The given data was invalid.``).
"""
from __future__ import annotations

import re
from datetime import date

from flask import abort, request

from ...accounts.services import EMAIL_RE
from ...common.errors import ValidationFailed

_MISSING = object()


def json_body() -> dict:
    """The request's JSON object; ``{}`` when there is no body.

    :raises UnsupportedMediaType: (415) a body of another content type.
    :raises BadRequest: (400) malformed JSON.
    :raises ValidationFailed: (422, ``body``) JSON that is not an object.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    if not request.is_json:
        abort(415)
    data = request.get_json(silent=True)
    if data is None and raw.strip() != b"null":
        abort(400)
    if not isinstance(data, dict):
        raise ValidationFailed({"body": ["The request body must be a JSON object."]})
    return data


def _label(field: str) -> str:
    return field.replace("_", " ")


class Checker:
    """Checks the fields of one body; present, valid values land in :attr:`clean`.

    Each method records at most one message per field; :meth:`done` raises them all.
    """

    def __init__(self, data: dict):
        self.data = data
        self.errors: dict[str, list[str]] = {}
        self.clean: dict = {}

    def fail(self, field: str, message: str) -> None:
        """Record an error for ``field`` (the first one wins)."""
        self.errors.setdefault(field, [message])

    def string(self, field: str, *, required: bool = False, max_length: int = 255, min_length: int = 0,
               email: bool = False, nullable: bool = True, strip: bool = True) -> None:
        """A text field: ``required`` (present, non-empty), ``max_length``/``min_length`` characters,
        ``email`` (a valid address, lower-cased), ``nullable`` (null/empty clears it: None)."""
        value = self.data.get(field, _MISSING)
        if value is _MISSING:
            if required:
                self.fail(field, f"The {_label(field)} field is required.")
            return
        if value is not None and not isinstance(value, str):
            self.fail(field, f"The {_label(field)} must be a string.")
            return
        text = (value.strip() if strip else value) if value else ""
        if not text:
            if required or not nullable:
                self.fail(field, f"The {_label(field)} field is required.")
            else:
                self.clean[field] = None
            return
        if len(text) > max_length:
            self.fail(field, f"The {_label(field)} must not be greater than {max_length} characters.")
        elif len(text) < min_length:
            self.fail(field, f"The {_label(field)} must be at least {min_length} characters.")
        elif email and (len(text) > 254 or not EMAIL_RE.match(text)):
            self.fail(field, f"The {_label(field)} must be a valid email address.")
        else:
            self.clean[field] = text.lower() if email else text

    def boolean(self, field: str) -> None:
        """An optional boolean: ``true/false``, ``1/0``, ``"true"/"false"``, ``"1"/"0"``."""
        value = self.data.get(field, _MISSING)
        if value is _MISSING or value is None:
            return
        if isinstance(value, bool):
            self.clean[field] = value
        elif isinstance(value, int) and value in (0, 1):
            self.clean[field] = bool(value)
        elif isinstance(value, str) and value.strip().lower() in ("1", "0", "true", "false"):
            self.clean[field] = value.strip().lower() in ("1", "true")
        else:
            self.fail(field, f"The {_label(field)} field must be true or false.")

    def integer(self, field: str, *, required: bool = False, minimum: int = 1, maximum: int = 2**31 - 1) -> None:
        """An integer (JSON number without fraction, or a digit string) within ``minimum..maximum``."""
        value = self.data.get(field, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail(field, f"The {_label(field)} field is required.")
            return
        number = parse_int(value)
        if number is None:
            self.fail(field, f"The {_label(field)} must be an integer.")
        elif not minimum <= number <= maximum:
            self.fail(field, f"The {_label(field)} must be between {minimum} and {maximum}.")
        else:
            self.clean[field] = number

    def choice(self, field: str, options, *, required: bool = False) -> None:
        """One of ``options`` (strings)."""
        value = self.data.get(field, _MISSING)
        if value is _MISSING or value is None or value == "":
            if required:
                self.fail(field, f"The {_label(field)} field is required.")
            return
        if not isinstance(value, str) or value not in options:
            self.fail(field, f"The selected {_label(field)} is invalid.")
        else:
            self.clean[field] = value

    def adopt(self, field: str, parse) -> None:
        """Run ``parse(value)`` (a service's parser raising ValidationFailed) and keep its result."""
        try:
            self.clean[field] = parse(self.data.get(field))
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                self.errors.setdefault(name, messages)

    def done(self) -> dict:
        """The clean values. :raises ValidationFailed: when any field was refused."""
        if self.errors:
            raise ValidationFailed(self.errors)
        return self.clean


def parse_int(value) -> int | None:
    """An int from a JSON integer (or integral float) or a string of at most 18 digits; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,18}", value.strip()):
        return int(value.strip())
    return None


def query_date(name: str, errors: dict) -> date | None:
    """``?<name>=YYYY-MM-DD`` as a date (None when absent); a bad value is added to ``errors``."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        errors[name] = [f"The {name} does not match the format Y-m-d."]
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = [f"The {name} is not a valid date."]
        return None


def query_int(name: str, errors: dict, *, default: int, minimum: int, maximum: int) -> int:
    """``?<name>=`` as an int within ``minimum..maximum`` (``default`` when absent); errors go to ``errors``."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    if not raw.isascii() or not raw.isdigit() or not minimum <= int(raw) <= maximum:
        errors[name] = [f"The {name} must be an integer between {minimum} and {maximum}."]
        return default
    return int(raw)
