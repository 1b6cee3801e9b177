"""Admin pages of rosters (admins only), one blueprint (``rosters``, under ``/admin/rosters``):

- :mod:`.grid`: the month grid, its cells, shift patterns and the CSV export;
- :mod:`.imports`: the roster CSV import.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rosters", __name__, url_prefix="/admin/rosters")

from . import grid, imports  # noqa: E402,F401  (their routes register on bp)
