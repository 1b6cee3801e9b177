"""Contract 000 "Device Management": register a device with its push token, list them, revoke one.

Devices are the signed-in person's own (:mod:`app.notify.devices`); ``{device_id}`` in
the path is the client's own identifier as registered, and another person's device
answers 404 like a missing one.  A device reads::

    {"id": 7, "device_id": "unique_device_identifier", "device_name": "iPhone 12 Pro",
     "device_type": "ios|android|web", "app_version": "1.0.0", "os_version": "15.0",
     "push_enabled": true, "is_current": true, "registered_at": "...Z", "last_seen_at": "...Z"}

The push token itself is never shown.  Registering from a session that names no device
ties that session to the device, so revoking the device signs it out.  All routes count
against the ``general`` rate limit.
"""
from __future__ import annotations

from flask import g

from ...common import clock
from ...common.errors import NotFound
from ...notify import devices
from ...notify.models import UserDevice
from . import envelope
from .auth import token_required
from .blueprint import bp
from .validation import Checker, json_body


def device_json(row: UserDevice) -> dict:
    """One device in the contract's shape (see the module); ``is_current`` compares with this session."""
    return {"id": row.id, "device_id": row.device_id, "device_name": row.name, "device_type": row.device_type,
            "app_version": row.app_version, "os_version": row.os_version, "push_enabled": devices.has_push(row),
            "is_current": g.api_token.device_id == row.device_id, "registered_at": clock.iso_utc(row.created_at),
            "last_seen_at": clock.iso_utc(row.last_seen_at)}


@bp.post("/devices/register")
@token_required()
def devices_register():
    """``POST /api/v2/devices/register``: ``device_id`` (required, ≤ 191), ``device_type``
    (required: ios|android|web), ``device_name`` (≤ 120), ``app_version``, ``os_version`` (≤ 32),
    ``push_token`` (≤ 512; omitted or null keeps the device's token).

    201 ``Device registered`` (new, or a revoked one back) or 200 ``Device updated`` with the
    device; 422 for refused fields, or ``errors.device_id`` beyond 20 live devices.
    """
    check = Checker(json_body())
    check.string("device_id", required=True, max_length=191)
    check.choice("device_type", devices.DEVICE_TYPES, required=True)
    check.string("device_name", max_length=120)
    check.string("app_version", max_length=32)
    check.string("os_version", max_length=32)
    check.string("push_token", max_length=512, strip=False)
    values = check.done()
    row, created = devices.register_device(
        g.user, device_id=values["device_id"], device_type=values["device_type"], name=values.get("device_name"),
        app_version=values.get("app_version"), os_version=values.get("os_version"),
        push_token=values.get("push_token"))
    if g.api_token.device_id is None:
        g.api_token.device_id = row.device_id
    if created:
        return envelope.ok(device_json(row), "Device registered", 201)
    return envelope.ok(device_json(row), "Device updated")


@bp.get("/devices/", strict_slashes=False)
@token_required()
def devices_index():
    """``GET /api/v2/devices/`` (also without the slash): the person's live devices, most recently seen first."""
    return envelope.ok([device_json(row) for row in devices.user_devices(g.user)], "Devices")


@bp.delete("/devices/<device_id>")
@token_required()
def devices_revoke(device_id: str):
    """``DELETE /api/v2/devices/{device_id}``: revoke the person's device.

    200 ``Device revoked`` with ``data {device_id, revoked_at, sessions_ended}`` (its push token
    is deactivated and its clinic sessions end — this one too when it is this device);
    404 ``errors.device_id`` for an unknown, already revoked, or another person's device.
    """
    try:
        if len(device_id) > 191:
            raise NotFound("Device not found")
        row, ended = devices.revoke_device(g.user, device_id)
    except NotFound:
        return envelope.fail("Device not found.", 404, {"device_id": ["The selected device does not exist."]})
    return envelope.ok({"device_id": row.device_id, "revoked_at": clock.iso_utc(row.revoked_at), "sessions_ended": ended},
                       "Device revoked")
