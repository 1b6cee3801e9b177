"""Request parsing of the ``school`` dialect: JSON (or form) bodies checked field by field.

Messages follow Laravel's validator wording, as the contract's clients expect;
errors are collected in a dict keyed by field and raised together as
:class:`~app.common.errors.ValidationFailed` (422).
"""
from __future__ import annotations

from flask import request

from ...common.errors import Conflict, ValidationFailed
from ..laravel import FieldChecker, field_label, parse_bool, parse_int  # noqa: F401  (parse_*: the dialect's API)


def body() -> dict:
    """The request's JSON object (or form fields); anything else is an empty dict."""
    data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    return data if isinstance(data, dict) else {}


class Checker(FieldChecker):
    """Collects field errors of one request body (:class:`~app.api.laravel.FieldChecker`) in the
    wording of the Laravel version the school app came from: "may not be greater than", and an
    explicit null for a boolean or an integer is refused as the wrong type."""

    MAX_RULE = "may not be greater than"
    NULL_IS_ABSENT = False


def unique_failed(exc: Conflict) -> ValidationFailed:
    """A service's "already taken" conflict as the 422 Laravel gives (``unique`` rule)."""
    field = exc.field or "_"
    return ValidationFailed({field: [f"The {field_label(field)} has already been taken."]})
