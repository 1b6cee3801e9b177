"""Contract 002 section 11: organisation settings.

Reading needs any school token; changing needs the ``admin`` role.  Values are
typed and range-checked by :mod:`app.system.settings` and always answered as
text: ``{"key_name", "value", "description", "updated_at"}`` (``updated_at``
null for a setting still at its default).

Route order: ``PUT /settings/bulk-update`` is a static rule, which Werkzeug
matches before the ``/settings/<key>`` rule whatever the registration order,
so ``bulk-update`` is never taken as a key.
"""
from __future__ import annotations

from flask import g

from ...common import clock
from ...common.errors import ValidationFailed
from ...system import settings as registry
from . import envelope
from .auth import token_required
from .blueprint import bp
from .validation import body


def setting_json(view: registry.SettingView) -> dict:
    """The contract's setting object."""
    return {"key_name": view.key, "value": view.value, "description": view.description,
            "updated_at": clock.iso_utc(view.updated_at)}


@bp.get("/settings")
@token_required()
def list_settings():
    """Every known setting, saved value or default."""
    return envelope.ok(data=[setting_json(v) for v in registry.list_settings()])


@bp.put("/settings/bulk-update")
@token_required("admin")
def bulk_update_settings():
    """Body ``{"settings": [{"key", "value", ["description"]}, ...]}``; all or nothing.

    An invalid item → 422 with ``settings.N.key`` / ``settings.N.value`` errors and nothing saved.
    """
    items = body().get("settings")
    views = registry.bulk_update(items, actor=g.user)
    return envelope.ok("Pengaturan berhasil diperbarui", [setting_json(v) for v in views])


@bp.get("/settings/<key>")
@token_required()
def show_setting(key: str):
    """One setting; unknown key → 404."""
    return envelope.ok(data=setting_json(registry.get_view(key)))


@bp.put("/settings/<key>")
@token_required("admin")
def update_setting(key: str):
    """Body ``{"value", ["description"]}``; unknown key → 404, bad value → 422 ``value``."""
    data = body()
    registry.spec(key)
    if "value" not in data:
        raise ValidationFailed({"value": ["The value field is required."]})
    view = registry.update_setting(key, data.get("value"), data.get("description"), actor=g.user)
    return envelope.ok("Pengaturan berhasil diperbarui", setting_json(view))
