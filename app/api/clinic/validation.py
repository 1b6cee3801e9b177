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

from ...common.errors import ValidationFailed
from .. import laravel


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


def parse_int(value) -> int | None:
    """An int from a JSON integer (or integral float) or a string of at most 18 digits; None otherwise."""
    return laravel.parse_int(value, max_digits=18, integral_floats=True)


class Checker(laravel.FieldChecker):
    """Checks the fields of one body (:class:`~app.api.laravel.FieldChecker`) in the wording of
    the clinic's Laravel ("must not be greater than"); an explicit null for a boolean or an
    integer counts as not sent; integers are 1..2³¹−1 unless a route says otherwise."""

    INT_RANGE = (1, 2**31 - 1)

    @staticmethod
    def parse_number(value) -> int | None:
        """:func:`parse_int` (18 digits, integral floats)."""
        return parse_int(value)


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
