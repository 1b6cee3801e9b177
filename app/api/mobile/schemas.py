"""Request parsing for the ``mobile`` dialect: field names of contract 001 → plain values.

Every parser raises :class:`~app.common.errors.ValidationFailed` with the
contract's field names, so the client can show the message next to the field.
"""
from __future__ import annotations


from flask import request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from ...common.errors import ValidationFailed
from ...places.services import parse_accuracy, parse_coordinate


def body() -> dict:
    """The request body as a dict: JSON object, or form fields.

    :raises ValidationFailed: a JSON body that is not an object.
    :raises BadRequest: malformed JSON.
    :raises UnsupportedMediaType: a body that is neither JSON nor a form.
    """
    if request.is_json:
        data = request.get_json(silent=False)
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise ValidationFailed({"body": ["The request body must be a JSON object."]})
        return data
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form.to_dict()
    if request.content_length:
        raise UnsupportedMediaType("Send the request body as application/json.")
    return {}


def required_string(data: dict, field: str, *, max_len: int = 191, min_len: int = 1) -> str:
    """A required non-empty string of at most ``max_len`` characters (numbers accepted as text)."""
    value = data.get(field)
    if isinstance(value, (int,)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise ValidationFailed({field: [f"The {field} field is required."]})
    value = value.strip()
    if len(value) > max_len:
        raise ValidationFailed({field: [f"The {field} may not be greater than {max_len} characters."]})
    if len(value) < min_len:
        raise ValidationFailed({field: [f"The {field} must be at least {min_len} characters."]})
    return value


def optional_string(data: dict, field: str, *, max_len: int = 191) -> str | None:
    """An optional string (None when absent or empty)."""
    if data.get(field) in (None, ""):
        return None
    return required_string(data, field, max_len=max_len)


def integer(value, field: str, *, low: int, high: int, default: int | None = None) -> int:
    """An integer (or digit string) within ``[low, high]``; ``default`` when absent."""
    if value in (None, ""):
        if default is None:
            raise ValidationFailed({field: [f"The {field} field is required."]})
        return default
    if isinstance(value, bool):
        raise ValidationFailed({field: [f"The {field} must be an integer."]})
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise ValidationFailed({field: [f"The {field} must be an integer."]})
    if not low <= value <= high:
        raise ValidationFailed({field: [f"The {field} must be between {low} and {high}."]})
    return value


def position(data: dict) -> tuple[float, float, float | None]:
    """``(latitude, longitude, accuracy_m)`` from a check-in body.

    Latitude/longitude: strings or numbers (≤ 50 chars), finite, within
    ±90/±180.  ``accuracy`` (optional, metres): finite, 0..100000.
    Collects all field errors before raising.
    """
    errors: dict[str, list[str]] = {}
    lat = lon = accuracy = None
    for field, limit in (("latitude", 90), ("longitude", 180)):
        if data.get(field) in (None, ""):
            errors[field] = [f"{field.capitalize()} is required for location verification"]
            continue
        try:
            value = parse_coordinate(data.get(field), field=field, limit=limit)
        except ValidationFailed as exc:
            errors.update(exc.errors)
            continue
        if field == "latitude":
            lat = value
        else:
            lon = value
    try:
        accuracy = parse_accuracy(data.get("accuracy"))
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return lat, lon, accuracy


def boolean_filter(value, field: str) -> bool | None:
    """``"true"``/``"false"`` (also 1/0) query filter; None when absent."""
    if value in (None, ""):
        return None
    lowered = str(value).lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ValidationFailed({field: [f'The {field} filter must be "true" or "false".']})


__all__ = ["body", "required_string", "optional_string", "integer", "position", "boolean_filter",
           "BadRequest"]
