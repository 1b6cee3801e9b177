"""Registering, pairing and revoking kiosks: a kiosk acts only once an admin has paired it,
and is refused once revoked.

Pairing codes are 8 characters from an alphabet without look-alikes
(``23456789ABCDEFGHJKLMNPQRSTUVWXYZ``, 40 bits), shown as ``K7MX-3PQA``,
valid :data:`PAIRING_TTL_S` seconds, usable once.  A paired tablet holds the
credential ``<kiosk id>.<secret>`` (secret: 32 random bytes, URL-safe base64)
in a cookie of its own — never an admin session, so opening the kiosk logs
nobody out and the kiosk reaches no admin page.  Only SHA-256 digests of codes
and secrets are stored.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..common import clock
from ..common.i18n import N_
from ..common.ids import split_credential
from ..common.errors import NotFound, RuleViolation, ValidationFailed
from ..extensions import db
from ..places.models import Office
from .models import KIOSK_MODES, Kiosk

#: How long a pairing code works, in seconds.
PAIRING_TTL_S = 15 * 60
#: Characters of pairing codes: no 0/O, 1/I (read aloud or typed on a tablet).
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
#: ``last_seen_at`` is written at most this often per kiosk (seconds), not on every request.
SEEN_RESOLUTION_S = 60


class PairingCodeInvalid(RuleViolation):
    """This pairing code is not valid (unknown, used or expired)."""


@dataclass(frozen=True)
class PairingCode:
    """A freshly issued code: ``code`` (``K7MX-3PQA``) and ``expires_at`` (UTC)."""

    code: str
    expires_at: datetime


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalise_code(raw) -> str:
    """``"k7mx 3pqa"`` / ``"K7MX-3PQA"`` → ``"K7MX3PQA"``; anything else → ``""``."""
    if not isinstance(raw, str):
        return ""
    cleaned = "".join(ch for ch in raw.upper() if ch not in " -\t")
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return ""
    return cleaned


def _clean(name, office_id, modes) -> dict:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name or len(name) > 100:
        errors["name"] = [N_("Name is required (at most 100 characters).")]
    if office_id is not None and db.session.get(Office, office_id) is None:
        errors["office_id"] = [N_("Unknown office.")]
    modes = [m for m in KIOSK_MODES if m in set(modes or ())]
    if not modes:
        errors["modes"] = [N_("Choose at least one mode.")]
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "office_id": office_id, "modes": ",".join(modes)}


#: What the audit trail keeps of a kiosk (``office``: the office's code, None for the school).
_AUDITED = ("name", "modes", "liveness")


def _audit(actor, action: str, kiosk: Kiosk, before: dict | None, after: dict | None) -> None:
    from ..audit.services import record

    record(actor, action, subject_type="kiosk", subject_id=kiosk.id, before=before, after=after,
           about={"name": kiosk.name})


def _state(kiosk: Kiosk) -> dict:
    from ..audit.services import snapshot

    office = db.session.get(Office, kiosk.office_id) if kiosk.office_id else None
    return {"name": kiosk.name, "office": office.code if office else None, **snapshot(kiosk, _AUDITED[1:])}


def create_kiosk(admin, *, name: str, office_id: int | None, modes, liveness: bool = False, actor=None) -> Kiosk:
    """Register a kiosk (not paired yet), audited as ``kiosk.create`` by ``actor`` (default
    ``admin``; a command-line run passes the command's name, see :func:`app.audit.services.record`).

    :param office_id: where it stands (None: the school, QR location 0).
    :param modes: iterable of :data:`~.models.KIOSK_MODES` keys, at least one.
    :param liveness: face check-ins need a live person (:attr:`Kiosk.liveness`).
    :raises ValidationFailed: ``name``/``office_id``/``modes`` errors.
    """
    kiosk = Kiosk(created_by_id=admin.id if admin else None, liveness=bool(liveness),
                  **_clean(name, office_id, modes))
    db.session.add(kiosk)
    db.session.flush()
    _audit(actor if actor is not None else admin, "kiosk.create", kiosk, None, _state(kiosk))
    return kiosk


def update_kiosk(kiosk: Kiosk, *, name: str, office_id: int | None, modes, liveness: bool | None = None,
                 actor=None) -> Kiosk:
    """Change name, office, modes and (unless None) the liveness check; a paired tablet picks
    them up on its next request.  Audited as ``kiosk.update`` (changed fields before → after).

    :raises ValidationFailed: as :func:`create_kiosk`.
    """
    clean = _clean(name, office_id, modes)
    before = _state(kiosk)
    for key, value in clean.items():
        setattr(kiosk, key, value)
    if liveness is not None:
        kiosk.liveness = bool(liveness)
    db.session.flush()
    _audit(actor, "kiosk.update", kiosk, before, _state(kiosk))
    return kiosk


def get_kiosk(kiosk_id: int) -> Kiosk:
    """:raises NotFound: no such kiosk."""
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise NotFound("Kiosk not found")
    return kiosk


def list_kiosks() -> list[Kiosk]:
    """Every kiosk (revoked ones too), ordered by name, then id."""
    return list(db.session.scalars(db.select(Kiosk).order_by(Kiosk.name, Kiosk.id)))


def issue_pairing_code(kiosk: Kiosk, now: datetime | None = None, *, actor=None) -> PairingCode:
    """A new one-time code for ``kiosk`` (replaces any earlier unused code); audited as
    ``kiosk.pairing_code`` with its expiry (never the code).

    The tablet currently paired keeps working until the code is used.
    """
    now = now or clock.now()
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    kiosk.pairing_code_hash = _digest(raw)
    kiosk.pairing_expires_at = now + timedelta(seconds=PAIRING_TTL_S)
    db.session.flush()
    _audit(actor, "kiosk.pairing_code", kiosk, None, {"pairing_expires_at": kiosk.pairing_expires_at})
    return PairingCode(f"{raw[:4]}-{raw[4:]}", kiosk.pairing_expires_at)


def pair(raw_code, now: datetime | None = None) -> tuple[Kiosk, str]:
    """Use a pairing code: ``(kiosk, credential)``; the code stops working, an earlier
    credential of that kiosk too (the old tablet is unpaired).

    :raises PairingCodeInvalid: unknown, used or expired code.
    """
    now = now or clock.now()
    code = normalise_code(raw_code)
    kiosk = db.session.scalar(db.select(Kiosk).filter_by(pairing_code_hash=_digest(code))) if code else None
    if kiosk is None or kiosk.pairing_expires_at is None or kiosk.pairing_expires_at <= now:
        raise PairingCodeInvalid()
    secret = secrets.token_urlsafe(32)
    kiosk.pairing_code_hash = None
    kiosk.pairing_expires_at = None
    kiosk.credential_hash = _digest(secret)
    kiosk.paired_at = now
    kiosk.last_seen_at = now
    kiosk.revoked_at = None
    db.session.flush()
    return kiosk, f"{kiosk.id}.{secret}"


def authenticate(credential, now: datetime | None = None) -> Kiosk | None:
    """The kiosk a credential belongs to, or None (malformed, unknown, revoked, replaced).

    Updates ``last_seen_at`` at most every :data:`SEEN_RESOLUTION_S` seconds.
    """
    parsed = split_credential(credential, ".")
    if parsed is None:
        return None
    kiosk_id, secret = parsed
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None or not kiosk.credential_hash or not hmac.compare_digest(kiosk.credential_hash, _digest(secret)):
        return None
    now = now or clock.now()
    if kiosk.last_seen_at is None or (now - kiosk.last_seen_at).total_seconds() >= SEEN_RESOLUTION_S:
        kiosk.last_seen_at = now
    return kiosk


def revoke(kiosk: Kiosk, now: datetime | None = None, *, actor=None) -> Kiosk:
    """Stop the paired tablet at its next request and void any unused pairing code (audited
    as ``kiosk.revoke`` by ``actor``)."""
    _audit(actor, "kiosk.revoke", kiosk,
           {"paired": kiosk.credential_hash is not None, "pairing_code_open": kiosk.pairing_code_hash is not None},
           {"paired": False, "pairing_code_open": False})
    kiosk.credential_hash = None
    kiosk.pairing_code_hash = None
    kiosk.pairing_expires_at = None
    kiosk.revoked_at = now or clock.now()
    db.session.flush()
    return kiosk


def delete_kiosk(kiosk: Kiosk, *, actor=None) -> None:
    """Remove a kiosk for good (its tablet stops at its next request); audited as
    ``kiosk.delete`` with what it was."""
    _audit(actor, "kiosk.delete", kiosk, _state(kiosk), None)
    db.session.delete(kiosk)
    db.session.flush()
