"""Admin pages of the clinic, one blueprint (``clinic_admin``, under ``/admin/clinic``):

- :mod:`.pages`: the service-fee (*jaspel*) report and the patients;
- :mod:`.imports`: the patients CSV import.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("clinic_admin", __name__, url_prefix="/admin/clinic")

from . import imports, pages  # noqa: E402,F401  (their routes register on bp)
