"""The two deployment switches of the ``face`` dialect.

Both are Flask config keys, filled from the environment variables of the same
name by :func:`app.config.load_config` (tests override them in the config):

- ``FACE_ENROL_ON_FIRST_USE`` (``1``/``true``/``yes``; default off): a signed-in
  person with no enrolled face is enrolled by their first check-in photo
  (see :func:`app.api.face.routes.create_attendance` for why it is off by default).
- ``FACE_ALLOWED_ORIGINS`` (comma-separated origins such as
  ``https://absen.example``; default none): pages of these origins may send
  state-changing requests besides the API's own host (see :func:`.auth.check_origin`).
"""
from __future__ import annotations

from flask import current_app

_TRUE = {"1", "true", "yes", "on"}


def _raw(key: str):
    return current_app.config.get(key)


def enrol_on_first_use() -> bool:
    """``FACE_ENROL_ON_FIRST_USE`` as a boolean (default False)."""
    value = _raw("FACE_ENROL_ON_FIRST_USE")
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


def allowed_origins() -> list[str]:
    """``FACE_ALLOWED_ORIGINS`` as a list of origins (a list in the config, or comma-separated text)."""
    value = _raw("FACE_ALLOWED_ORIGINS")
    if not value:
        return []
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in value if str(v).strip()]
