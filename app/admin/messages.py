"""Translations of the English messages that services produce.

Services speak English (they serve five API dialects too); the admin pages show
their messages in the user's language.  A service marks each message where it
raises it with :func:`~app.common.i18n.N_` (a no-op that ``pybabel extract``
finds), so the catalogs follow the code; :func:`translate_message` looks a message
up at render time and falls back to the English text.  WTForms' own messages are
listed with the admin forms (:mod:`app.admin.forms`).
"""
from __future__ import annotations

from flask_babel import gettext


def translate_message(message) -> str:
    """``message`` in the current language when the catalogs know it, else unchanged."""
    return gettext(str(message))
