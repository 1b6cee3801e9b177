"""Escorts and the per-session counters of the ER API (contract 004).

Stored keys are English (:data:`CATEGORIES`, :data:`GENDERS`,
:data:`STATUSES`); the contract's Indonesian values live only in the ``igd``
dialect.  Times are UTC.
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db

#: Who brought the patient: a police officer, an ambulance crew, a private person.
CATEGORIES = ("police", "ambulance", "individual")
GENDERS = ("male", "female")
#: Review state: new registrations are ``pending`` until staff verify or reject them.
STATUSES = ("pending", "verified", "rejected")


#: What a plate number field holds when the escort came without a vehicle (upper case).
NO_VEHICLE_PLATES = frozenset({"", "-", "TANPA KENDARAAN", "NO VEHICLE", "TIDAK ADA", "TIDAK ADA KENDARAAN"})

class Escort(db.Model):
    """One escort registration.

    ``photo_path`` is relative to ``UPLOAD_FOLDER`` (``escorts/<yyyy>/<mm>/<id>-<uuid>.jpg``);
    ``submission_id`` is the contract's public id (``api_<13 hex>``), :attr:`reference` the short
    one read out at the ER desk (``IGD-0412``); ``submitted_from_ip``
    the client address; ``api_submission`` true when it came through a JSON API
    (false for the kiosk or the admin pages); ``created_by`` the signed-in staff
    member who entered it (None for a self-registration); ``reviewed_by``/
    ``reviewed_at`` the last status change.
    """

    __tablename__ = "escorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(12), index=True)
    name: Mapped[str] = mapped_column(String(255))
    gender: Mapped[str] = mapped_column(String(6))
    phone: Mapped[str] = mapped_column(String(20))
    plate_number: Mapped[str] = mapped_column(String(20))
    patient_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending", index=True)
    photo_path: Mapped[str | None] = mapped_column(String(255))
    submission_id: Mapped[str] = mapped_column(String(40), unique=True)
    submitted_from_ip: Mapped[str | None] = mapped_column(String(45))
    api_submission: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    created_by = relationship("User", foreign_keys=[created_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])

    @property
    def has_vehicle(self) -> bool:
        """False when ``plate_number`` only says there is none: the kiosk's "no vehicle" box writes
        its label (``TANPA KENDARAAN`` / ``NO VEHICLE``), apps send such words or a dash."""
        return (self.plate_number or "").strip().upper() not in NO_VEHICLE_PLATES

    @property
    def reference(self) -> str:
        """The short reference staff read out and search for, ``IGD-0412``: ``IGD-`` and the row id,
        at least four digits (derived, so it never changes; the contract's ``submission_id`` is apart)."""
        return f"{REFERENCE_PREFIX}{self.id:04d}"


#: The prefix of :attr:`Escort.reference`.
REFERENCE_PREFIX = "IGD-"
REFERENCE_RE = re.compile(r"^\s*igd[\s-]?0*(\d{1,9})\s*$", re.IGNORECASE)


def escort_id_of_reference(text: str) -> int | None:
    """The escort id in a typed short reference (``IGD-0412``, ``igd 412``), None when it is not one."""
    match = REFERENCE_RE.match(text or "")
    return int(match.group(1)) if match else None


class EscortApiSession(db.Model):
    """A client session of the ER API and its counters (contract 004, "Get Session Stats").

    Kept in the database so every app server sees the same numbers.  A session
    is either a browser's (``cookie_hash``: SHA-256 of the session cookie, with
    ``csrf_hash``, SHA-256 of its ``XSRF-TOKEN``; ``user_id`` once it signed in)
    or a bearer token's (``token_id``).  ``public_id`` (``session_<32 hex>``)
    is what responses print as ``session_id``; it grants nothing.
    """

    __tablename__ = "escort_api_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    cookie_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    csrf_hash: Mapped[str | None] = mapped_column(String(64))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    access_count: Mapped[int] = mapped_column(default=0, server_default="0")
    submissions_count: Mapped[int] = mapped_column(default=0, server_default="0")
    updates_count: Mapped[int] = mapped_column(default=0, server_default="0")
    status_updates_count: Mapped[int] = mapped_column(default=0, server_default="0")
    deletions_count: Mapped[int] = mapped_column(default=0, server_default="0")
    failed_lookups: Mapped[int] = mapped_column(default=0, server_default="0")
    last_result_count: Mapped[int | None] = mapped_column()
    last_total: Mapped[int | None] = mapped_column()
    last_accessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    user = relationship("User")


class EscortApiActivity(db.Model):
    """One recent action of a session (``kind``: submission, view, delete, status_update).

    The escort's names are copied, so a deleted escort still shows in the
    session's history; ``ref`` is the action's public id (``api_…``, ``del_…``,
    ``status_…``).  Only the latest :data:`app.escorts.sessions.KEEP_ACTIVITY`
    rows per session and kind are kept.
    """

    __tablename__ = "escort_api_activity"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("escort_api_sessions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    escort_id: Mapped[int] = mapped_column()
    escort_name: Mapped[str] = mapped_column(String(255))
    patient_name: Mapped[str] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(12))
    old_status: Mapped[str | None] = mapped_column(String(10))
    new_status: Mapped[str | None] = mapped_column(String(10))
    ref: Mapped[str | None] = mapped_column(String(40))
    ip: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class EscortApiView(db.Model):
    """How often one session opened one escort (``view_count``) and when last."""

    __tablename__ = "escort_api_views"
    __table_args__ = (UniqueConstraint("session_id", "escort_id", name="uq_escort_api_views_session_escort"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("escort_api_sessions.id", ondelete="CASCADE"))
    escort_id: Mapped[int] = mapped_column(ForeignKey("escorts.id", ondelete="CASCADE"), index=True)
    count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_viewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
