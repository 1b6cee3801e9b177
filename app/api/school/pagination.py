"""Laravel's length-aware paginator, the shape contract 002 prints for lists."""
from __future__ import annotations

from flask import request

from ...common.errors import ValidationFailed
from ...extensions import db

MAX_PER_PAGE = 100


def page_args(default_per_page: int = 15) -> tuple[int, int]:
    """``(page, per_page)`` from the query string; per_page bounded to 1..100.

    :raises ValidationFailed: not positive integers.
    """
    errors = {}
    values = []
    for name, default, high in (("page", 1, 10**6), ("per_page", default_per_page, MAX_PER_PAGE)):
        raw = request.args.get(name)
        if raw in (None, ""):
            values.append(default)
            continue
        if not raw.isdigit() or not 1 <= int(raw) <= high:
            errors[name] = [f"The {name} must be an integer between 1 and {high}."]
            values.append(default)
        else:
            values.append(int(raw))
    if errors:
        raise ValidationFailed(errors)
    return values[0], values[1]


def paginate(stmt, serialize, *, default_per_page: int = 15) -> dict:
    """Run ``stmt`` for the requested page and return Laravel's paginator dict.

    Keys: ``current_page, data, first_page_url, from, last_page, last_page_url,
    next_page_url, path, per_page, prev_page_url, to, total`` (URLs keep the
    other query parameters).
    """
    page, per_page = page_args(default_per_page)
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    last = max(1, result.pages)
    path = request.base_url

    def url(n: int) -> str:
        args = request.args.to_dict()
        args["page"] = str(n)
        from urllib.parse import urlencode
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
