"""What the Laravel-born clients expect: the length-aware paginator of the ``school``
(contract 002) and ``igd`` (contract 004) clients, and the field checks with Laravel's
validator wording shared by ``school`` and ``clinic`` (contract 000).

``?page=`` and ``?per_page=`` (1..:data:`MAX_PER_PAGE`) select the page; the answer is
``current_page, data, first_page_url, from, last_page, last_page_url, next_page_url,
path, per_page, prev_page_url, to, total``, page URLs keeping the other query parameters.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

from flask import request

from ..accounts.passwords import MAX_PASSWORD_LENGTH, PasswordRejected, check_new_password
from ..accounts.services import EMAIL_RE
from ..common.errors import ValidationFailed
from ..extensions import db

MAX_PER_PAGE = 100
#: Highest page number accepted (beyond it the list is empty anyway).
MAX_PAGE = 10**6


def page_args(default_per_page: int = 15, *,
              error: Callable[[dict], Exception] = ValidationFailed) -> tuple[int, int]:
    """``(page, per_page)`` from the query string; ``per_page`` bounded to 1..:data:`MAX_PER_PAGE`.

    :param error: builds the exception from ``{"page"|"per_page": [message]}`` (a dialect
        may add its own top-level message).
    :raises ValidationFailed: (or what ``error`` builds) not positive ASCII integers in range,
        with Laravel's wording ("The per page must be an integer between 1 and 100.").
    """
    errors = {}
    values = []
    for name, default, high in (("page", 1, MAX_PAGE), ("per_page", default_per_page, MAX_PER_PAGE)):
        raw = request.args.get(name)
        if raw in (None, ""):
            values.append(default)
        elif not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= high:
            errors[name] = [f"The {name.replace('_', ' ')} must be an integer between 1 and {high}."]
            values.append(default)
        else:
            values.append(int(raw))
    if errors:
        raise error(errors)
    return values[0], values[1]


def paginate(stmt, serialize, *, default_per_page: int = 15,
             error: Callable[[dict], Exception] = ValidationFailed) -> dict:
    """Run ``stmt`` for the requested page; Laravel's paginator dict, items through ``serialize``.

    :raises ValidationFailed: (or what ``error`` builds) bad ``page``/``per_page``.
    """
    page, per_page = page_args(default_per_page, error=error)
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    last = max(1, result.pages)
    path = request.base_url

    def url(n: int) -> str:
        """This request's URL with ``page`` set to ``n`` (the other query arguments kept), as Laravel's paginator
        links."""
        args = request.args.to_dict()
        args["page"] = str(n)
        return f"{path}?{urlencode(args)}"

    items = [serialize(item) for item in result.items]
    first_index = (page - 1) * per_page + 1 if items else None
    return {
        "current_page": page,
        "data": items,
        "first_page_url": url(1),
        "from": first_index,
        "last_page": last,
        "last_page_url": url(last),
        "next_page_url": url(page + 1) if page < last else None,
        "path": path,
        "per_page": per_page,
        "prev_page_url": url(page - 1) if page > 1 else None,
        "to": first_index + len(items) - 1 if items else None,
        "total": result.total,
    }


# ---------------------------------------------------------------------------
# Field checks with Laravel's validator messages

_MISSING = object()


def field_label(field: str) -> str:
    """Laravel's attribute name in messages: ``role_id`` → ``role id``."""
    return field.replace("_", " ")


def parse_bool(value) -> bool | None:
    """Laravel's ``boolean`` rule: ``True``/``False`` for ``true/false``, ``1/0``, ``"1"/"0"``,
    ``"true"/"false"``; None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("1", "0", "true", "false"):
        return value.strip().lower() in ("1", "true")
    return None


def parse_int(value, *, max_digits: int = 9, integral_floats: bool = False) -> int | None:
    """An int from a JSON integer or a string of at most ``max_digits`` digits (optionally
    signed); with ``integral_floats`` also a JSON number like ``3.0``.  None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if integral_floats and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(rf"-?[0-9]{{1,{max_digits}}}", value.strip()):
        return int(value.strip())
    return None


class FieldChecker:
    """Checks the fields of one request body; present, valid values land in :attr:`clean`.

    Each method records at most one message per field (the first wins); :meth:`done`
    raises them all together as :class:`ValidationFailed` (422).  A dialect subclasses it
    to state what differs between the Laravel versions its clients came from:

    - :attr:`MAX_RULE`: Laravel 5 says "may not be greater than", later versions "must not".
    - :attr:`NULL_IS_ABSENT`: whether an explicit ``null`` for a boolean or an integer counts
      as not sent (``nullable``) or is refused as the wrong type.
    - :attr:`INT_RANGE`: the default ``(minimum, maximum)`` of :meth:`integer`, or None.
    - :meth:`parse_number`: how integers are read (:func:`parse_int`'s options).
    """

    MAX_RULE = "must not be greater than"
    NULL_IS_ABSENT = True
    INT_RANGE: tuple[int, int] | None = None

    def __init__(self, data: dict):
        self.data = data
        self.errors: dict[str, list[str]] = {}
        self.clean: dict = {}

    @staticmethod
    def parse_number(value) -> int | None:
        """An integer as this dialect reads it (:func:`parse_int` with its defaults)."""
        return parse_int(value)

    def fail(self, field: str, message: str) -> None:
        """Record an error for ``field`` (the first one wins)."""
        self.errors.setdefault(field, [message])

    def string(self, field: str, *, required: bool = False, max_length: int = 255, min_length: int = 0,
               email: bool = False, nullable: bool = True, strip: bool = True, allow_int: bool = False) -> None:
        """A text field: ``required`` (present, non-empty), ``max_length``/``min_length`` characters,
        ``email`` (a valid address, lower-cased), ``nullable`` (null/empty clears it: None),
        ``strip`` (surrounding blanks dropped), ``allow_int`` (a JSON integer becomes text)."""
        value = self.data.get(field, _MISSING)
        if value is _MISSING:
            if required:
                self.fail(field, f"The {field_label(field)} field is required.")
            return
        if allow_int and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            self.fail(field, f"The {field_label(field)} must be a string.")
            return
        text = (value.strip() if strip else value) if value else ""
        if not text:
            if required or not nullable:
                self.fail(field, f"The {field_label(field)} field is required.")
            else:
                self.clean[field] = None
            return
        if len(text) > max_length:
            self.fail(field, f"The {field_label(field)} {self.MAX_RULE} {max_length} characters.")
        elif len(text) < min_length:
            self.fail(field, f"The {field_label(field)} must be at least {min_length} characters.")
        elif email and (len(text) > 254 or not EMAIL_RE.match(text)):
            self.fail(field, f"The {field_label(field)} must be a valid email address.")
        else:
            self.clean[field] = text.lower() if email else text

    def password(self, field: str, *, required: bool = True) -> None:
        """A new password under the one policy (:func:`~app.accounts.passwords.check_new_password`),
        worded as Laravel's ``required|string|min:8|max:128``: a password of spaces only is
        "required" (Laravel's ``required`` rule trims strings), text is never stripped.
        ``required=False``: a missing key or null is fine (an update that keeps the password)."""
        value = self.data.get(field, _MISSING)
        if not required and (value is _MISSING or value is None):
            return
        label = field_label(field)
        if value is not _MISSING and value is not None and not isinstance(value, str):
            self.fail(field, f"The {label} must be a string.")
            return
        try:
            self.clean[field] = check_new_password(None if value is _MISSING else value, field)
        except PasswordRejected as exc:
            self.fail(field, {
                "required": f"The {label} field is required.",
                "blank": f"The {label} field is required.",
                "too_short": exc.errors[field][0],
                "too_long": f"The {label} {self.MAX_RULE} {MAX_PASSWORD_LENGTH} characters.",
            }[exc.reason])

    def boolean(self, field: str) -> None:
        """An optional boolean (:func:`parse_bool`'s spellings)."""
        value = self.data.get(field, _MISSING)
        if value is _MISSING or (value is None and self.NULL_IS_ABSENT):
            return
        parsed = parse_bool(value)
        if parsed is None:
            self.fail(field, f"The {field_label(field)} field must be true or false.")
        else:
            self.clean[field] = parsed

    def integer(self, field: str, *, required: bool = False, minimum: int | None = None,
                maximum: int | None = None) -> None:
        """An integer (:meth:`parse_number`) within ``minimum..maximum`` (default :attr:`INT_RANGE`)."""
        value = self.data.get(field, _MISSING)
        if value is _MISSING or (value is None and self.NULL_IS_ABSENT):
            if required:
                self.fail(field, f"The {field_label(field)} field is required.")
            return
        number = self.parse_number(value)
        low, high = self.INT_RANGE or (None, None)
        low = low if minimum is None else minimum
        high = high if maximum is None else maximum
        if number is None:
            self.fail(field, f"The {field_label(field)} must be an integer.")
        elif (low is not None and number < low) or (high is not None and number > high):
            self.fail(field, f"The {field_label(field)} must be between {low} and {high}.")
        else:
            self.clean[field] = number

    def choice(self, field: str, options, *, required: bool = False) -> None:
        """One of ``options`` (strings)."""
        value = self.data.get(field, _MISSING)
        if value is _MISSING or value is None or value == "":
            if required:
                self.fail(field, f"The {field_label(field)} field is required.")
            return
        if not isinstance(value, str) or value not in options:
            self.fail(field, f"The selected {field_label(field)} is invalid.")
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
