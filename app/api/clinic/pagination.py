"""List pages of the clinic dialect: ``?page=`` and ``?per_page=``, ``meta.pagination``.

The contract's "Standard API Response Format (v2)" puts the page facts in
``meta.pagination`` as ``{"current_page", "per_page", "total", "last_page"}``
and the items in ``data`` (a list).  ``per_page`` defaults to 15, at most 100.
"""
from __future__ import annotations

from collections.abc import Callable

from ...extensions import db
from ..laravel import page_args


def paginate(stmt, serialize: Callable) -> tuple[list, dict]:
    """Run ``stmt`` for the requested page.

    :param serialize: turns one row into its JSON dict.
    :returns: ``(items, pagination)`` for :func:`.envelope.ok` (``data`` and ``pagination=``).
    :raises ValidationFailed: ``page`` / ``per_page`` not integers in range (422, named field).
    """
    page, per_page = page_args(15)
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    pagination = {"current_page": page, "per_page": per_page, "total": result.total,
                  "last_page": max(1, result.pages)}
    return [serialize(row) for row in result.items], pagination
