"""Row ids sent by clients — in credentials and in URLs — read in one place.

Bearer tokens (``"<id>|<secret>"``, Laravel Sanctum's form: clinic, school, igd and the
face dialect's ``token`` cookie) and the kiosk cookie (``"<id>.<secret>"``) name a row
by its id.  Anything a client sends is parsed here, before any database access, so a
malformed credential is simply "no credential" (each dialect's 401), never a crash:

- the id is 1 to 10 ASCII digits (``str.isdigit`` alone also accepts ``²`` or ``١``,
  which ``int()`` refuses or reads as another number) and at most :data:`MAX_ROW_ID`,
  the largest value of the primary keys' type (PostgreSQL ``integer``; a larger
  number makes PostgreSQL refuse the query and SQLite overflow);
- the secret is non-empty and at most :data:`MAX_SECRET_LENGTH` characters.

Ids in URL paths (``<int:user_id>``) go through :class:`RowIdConverter`, the app's
``int`` converter: a number beyond :data:`MAX_ROW_ID` matches no route (404 in the
dialect's body) instead of reaching the database.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

#: Largest id a credential may name: PostgreSQL ``integer`` (the type of every primary key), 2**31 - 1.
MAX_ROW_ID = 2**31 - 1
#: Longest secret accepted (issued secrets are 40 characters for tokens, 43 for kiosks).
MAX_SECRET_LENGTH = 200


def parse_row_id(text) -> int | None:
    """``text`` as a row id (1..:data:`MAX_ROW_ID`, ASCII digits only), else None."""
    if not isinstance(text, str) or not 0 < len(text) <= 10 or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 0 < value <= MAX_ROW_ID else None


def split_credential(text, separator: str = "|") -> tuple[int, str] | None:
    """``(row_id, secret)`` of ``"<id><separator><secret>"``, or None when malformed.

    Malformed: not a string, no separator, an id refused by :func:`parse_row_id`, an
    empty secret or one longer than :data:`MAX_SECRET_LENGTH`.
    """
    if not isinstance(text, str) or separator not in text:
        return None
    head, _, secret = text.partition(separator)
    row_id = parse_row_id(head)
    if row_id is None or not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    return row_id, secret


class RowIdConverter(IntegerConverter):
    """Werkzeug's ``int`` converter bounded to :data:`MAX_ROW_ID` (installed as ``int`` by
    :func:`app.create_app`, so every ``<int:...>`` route refuses larger numbers with a 404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)
