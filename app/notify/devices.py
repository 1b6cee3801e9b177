"""The devices a person registered for the clinic app, with their push tokens (contract 000, "Device Management").

A device belongs to the signed-in user: another user's device is indistinguishable
from a missing one (:class:`~app.common.errors.NotFound`).  Registering keeps one row
per ``(user, device_id)`` (registering again updates it and brings a revoked one back)
and its push token through :func:`app.notify.services.register_push_token` (a token
moves to whoever registers it last; the device it left loses it).  Revoking a device
deactivates its push token and ends the user's clinic sessions carrying the same
``device_id`` (a lost phone is signed out).
"""
from __future__ import annotations

from ..accounts.models import ApiToken
from ..common import clock
from ..common.errors import NotFound, RuleViolation
from ..extensions import db
from .models import UserDevice
from .services import register_push_token

DEVICE_TYPES = ("ios", "android", "web")
#: Most live (not revoked) devices per person.
MAX_DEVICES = 20
#: The dialect whose sessions a device's revocation ends.
SESSION_DIALECT = "clinic"


def user_devices(user) -> list[UserDevice]:
    """``user``'s live devices, most recently seen first."""
    return list(db.session.scalars(
        db.select(UserDevice).where(UserDevice.user_id == user.id, UserDevice.revoked_at.is_(None))
        .order_by(UserDevice.last_seen_at.desc(), UserDevice.id.desc())))


def find_device(user, device_id: str) -> UserDevice:
    """``user``'s live device with the client identifier ``device_id``.

    :raises NotFound: none (also when only another user has it, or it was revoked).
    """
    row = db.session.scalar(db.select(UserDevice).filter_by(user_id=user.id, device_id=device_id))
    if row is None or row.revoked_at is not None:
        raise NotFound("Device not found", field="device_id")
    return row


def register_device(user, *, device_id: str, device_type: str, name: str | None = None,
                    app_version: str | None = None, os_version: str | None = None,
                    push_token: str | None = None) -> tuple[UserDevice, bool]:
    """Register (or update) ``user``'s device; values already checked by the dialect.

    :param push_token: the device's push (FCM) token; None keeps the one it has.
    :returns: ``(device, created)``; ``created`` is False for an update of a known device.
    :raises RuleViolation: ``user`` already has :data:`MAX_DEVICES` live devices (field ``device_id``).
    :raises ValidationFailed: a push token refused by :func:`register_push_token` (``push_token``).
    """
    row = db.session.scalar(db.select(UserDevice).filter_by(user_id=user.id, device_id=device_id))
    created = row is None or row.revoked_at is not None
    if created:
        live = db.session.scalar(db.select(db.func.count(UserDevice.id)).where(
            UserDevice.user_id == user.id, UserDevice.revoked_at.is_(None)))
        if live >= MAX_DEVICES:
            raise RuleViolation(f"You may register at most {MAX_DEVICES} devices; revoke one first.",
                                field="device_id")
    if row is None:
        row = UserDevice(user_id=user.id, device_id=device_id, device_type=device_type, created_at=clock.now())
        db.session.add(row)
    row.name, row.device_type, row.app_version, row.os_version = name, device_type, app_version, os_version
    row.revoked_at = None
    row.last_seen_at = clock.now()
    if push_token is not None:
        token = register_push_token(user, push_token, device_type=device_type, device_id=device_id,
                                    device_types=DEVICE_TYPES, token_field="push_token")
        old = row.push_token
        if old is not None and old.id != token.id and old.user_id == user.id:
            old.is_active = False
        # The token left whichever device (of anyone) had it before.
        for other in db.session.scalars(db.select(UserDevice).where(UserDevice.push_token_id == token.id,
                                                                    UserDevice.id != (row.id or -1))):
            other.push_token_id = None
        row.push_token = token
    db.session.flush()
    return row, created


def has_push(device: UserDevice) -> bool:
    """Whether pushes reach ``device``: its token is active and still its owner's."""
    token = device.push_token
    return token is not None and token.is_active and token.user_id == device.user_id and device.revoked_at is None


def revoke_device(user, device_id: str) -> tuple[UserDevice, int]:
    """Revoke ``user``'s device: no longer listed, push token deactivated, its clinic sessions ended.

    :returns: ``(device, sessions_ended)``.
    :raises NotFound: ``user`` has no live device ``device_id`` (another user's included).
    """
    row = find_device(user, device_id)
    now = clock.now()
    row.revoked_at = now
    token = row.push_token
    if token is not None and token.user_id == user.id:
        token.is_active = False
    row.push_token = None
    sessions = list(db.session.scalars(db.select(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.dialect == SESSION_DIALECT, ApiToken.device_id == device_id,
        ApiToken.revoked_at.is_(None))))
    for session in sessions:
        session.revoked_at = now
    db.session.flush()
    return row, len(sessions)

