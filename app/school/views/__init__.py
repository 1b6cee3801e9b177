"""Admin pages of the school, one blueprint (``school_admin``; ``school`` is the API dialect, under ``/admin/school``):

- :mod:`.classes`: classes, homeroom teachers, enrolment per academic year,
  today's attendance grid;
- :mod:`.cards`: student QR cards (generate, deactivate, the printable A4 sheet
  and its PDF);
- :mod:`.roll_call`: a teacher's classes to take the roll call of, the principal's whole
  school today.
"""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("school_admin", __name__, url_prefix="/admin/school")

from . import cards, classes, roll_call  # noqa: E402,F401  (their routes register on bp)
