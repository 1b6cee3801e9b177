"""Laravel's length-aware paginator, the list shape the ``school`` (contract 002) and
``igd`` (contract 004) clients were built against — both came from Laravel back ends.

``?page=`` and ``?per_page=`` (1..:data:`MAX_PER_PAGE`) select the page; the answer is
``current_page, data, first_page_url, from, last_page, last_page_url, next_page_url,
path, per_page, prev_page_url, to, total``, page URLs keeping the other query parameters.
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from flask import request

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
