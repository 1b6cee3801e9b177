"""Response shapes of contract 002."""
from __future__ import annotations

from ...common import clock


def user(u) -> dict:
    """The contract's user object (``role_id`` is the stable role number)."""
    return {
        "id": u.id,
        "nisn_nip_nik": u.nisn_nip_nik,
        "name": u.name,
        "email": u.email,
        "phone": u.phone,
        "role_id": u.role_id,
        "photo_path": u.photo_path,
        "is_active": bool(u.is_active),
        "created_at": clock.iso_utc(u.created_at),
        "updated_at": clock.iso_utc(u.updated_at),
    }
