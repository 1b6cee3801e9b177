"""The kiosk tablet client: what a wall-mounted tablet opens under ``/kiosk``.

Two packages carry the word *kiosk*; they are different things:

- ``kiosk/`` (this package, top level, the design card's ``kiosk/``): the **tablet client** —
  the blueprint and routes the tablet calls (:mod:`kiosk.routes`), its credential check
  (:mod:`kiosk.access`), its one JSON answer shape and the sentences it shows
  (:mod:`kiosk.answers`), its templates (``kiosk/templates/tablet/``), its scripts, CSS and web
  app manifest (``kiosk/static/``, served at versioned URLs by :mod:`kiosk.assets`).
  ``kiosk/README.md`` documents the tablet's JSON.
- ``app/kiosk/``: the **kiosk devices domain** — the :class:`~app.kiosk.models.Kiosk` model,
  registration, pairing codes, credentials and revocation (services), the admin pages
  (``/admin/kiosks``) and the CLI.  The tablet client calls its services; nothing there knows
  about the tablet's pages.

:func:`init_kiosk` registers the blueprint (``create_app`` calls it).
"""
from __future__ import annotations

from flask import Blueprint, Flask

#: The tablet's blueprint: pages and JSON under ``/kiosk``; endpoint names ``kiosk.*``.
bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates")


def init_kiosk(app: Flask) -> None:
    """Register the tablet blueprint and the ``kiosk_asset`` template helper on ``app``."""
    from . import assets, routes  # noqa: F401  (the routes attach themselves to bp)

    app.register_blueprint(bp)
    app.add_template_global(assets.kiosk_asset)
