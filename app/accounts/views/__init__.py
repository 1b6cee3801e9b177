"""Admin pages of accounts, one blueprint (``accounts``, under ``/admin``):

- :mod:`.users`: users (admins only) and device resets (admins and petugas);
- :mod:`.imports`: the users CSV import and export (admins only).
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/admin")

from . import bulk, imports, users  # noqa: E402,F401  (their routes register on bp)
