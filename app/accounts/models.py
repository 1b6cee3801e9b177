"""Users, device bindings and device-reset requests."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..common import clock
from ..common.types import UTCDateTime
from ..extensions import db
from ..departments.models import Department  # noqa: F401  (User.department resolves by name)
from .roles import ROLE_BY_KEY, ROLE_KEYS

_ROLE_CHECK = "role IN (" + ", ".join(f"'{k}'" for k in ROLE_KEYS) + ")"


class User(UserMixin, db.Model):
    """One person, whichever client app they use (DESIGN.md, "Truths").

    Identifiers are all optional and each unique when present: ``email``
    (clinic, face, igd), ``npp`` (mobile), ``nisn_nip_nik`` (school) — also
    over deleted people, whose identifiers stay reserved.
    ``password_hash`` is an argon2id PHC string (see :mod:`.passwords`).
    A person works at one ``office`` and belongs to at most one ``department``
    (*unit kerja*); ``position`` is their job title (*jabatan*) as typed.

    ``is_active`` false: deactivated, still listed and editable, cannot sign
    in.  ``deleted_at`` set (UTC): deleted (soft), gone for every app — not
    found by id, absent from lists, cannot sign in, tokens revoked — while the
    row and everything recorded for the person (attendance, leave, photos)
    stays; a deleted person is also inactive (:func:`.services.delete_user`).
    """

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_ROLE_CHECK, name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    npp: Mapped[str | None] = mapped_column(String(32), unique=True)
    nisn_nip_nik: Mapped[str | None] = mapped_column(String(32), unique=True)
    role: Mapped[str] = mapped_column(String(20), index=True)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    password_hash: Mapped[str] = mapped_column(String(255))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    position: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32))
    photo_path: Mapped[str | None] = mapped_column(String(255))
    #: Postal address as typed (at most 500 characters), set through the clinic app's
    #: non-paramedis management (contract 000, "Create Non-Paramedis User").
    address: Mapped[str | None] = mapped_column(String(500))
    #: This person's annual leave (*cuti tahunan*) entitlement in working days per calendar
    #: year; None: the organisation's (setting ``annual_leave_days``).  See :mod:`app.leave.balance`.
    annual_leave_days: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    office = relationship("Office", lazy="joined")
    department = relationship("Department", foreign_keys=[department_id], lazy="select")
    device = relationship("DeviceBinding", uselist=False, back_populates="user", lazy="select",
                          cascade="all, delete-orphan")

    @property
    def is_deleted(self) -> bool:
        """True once the person was deleted (soft, :func:`.services.delete_user`)."""
        return self.deleted_at is not None

    @property
    def role_obj(self):
        """The :class:`~.roles.Role` of this user."""
        return ROLE_BY_KEY[self.role]

    @property
    def role_id(self) -> int:
        """The stable role number (school contract ``role_id``)."""
        return ROLE_BY_KEY[self.role].id

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<User {self.id} {self.name!r} {self.role}>"


class DeviceBinding(db.Model):
    """The one phone a user may use with the mobile app (contract 001, "Device Binding").

    One row per bound user; ``device_id`` is unique, so one device serves one
    user.  The first login creates it; an approved device reset deletes it so
    the next login binds the new phone.
    """

    __tablename__ = "device_bindings"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    device_id: Mapped[str] = mapped_column(String(191), unique=True)
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    user = relationship("User", back_populates="device")


class DeviceResetRequest(db.Model):
    """A user's request to release their bound phone (contract 001, "Device Reset").

    ``status`` is ``pending``, ``approved`` or ``rejected``.  A partial unique
    index allows at most one ``pending`` request per user, also under races.
    """

    __tablename__ = "device_reset_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status_known"),
        Index("uq_device_reset_requests_one_pending", "user_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    old_device_id: Mapped[str | None] = mapped_column(String(191))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    processed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    admin_notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    processed_by = relationship("User", foreign_keys=[processed_by_id])


class ApiToken(db.Model):
    """An opaque bearer token (``"<id>|<secret>"``, Laravel Sanctum's form; contracts 000, 002, 004).

    Only the SHA-256 of the secret is stored (``token_hash``, hex); the secret
    itself is shown once, at issue.  A token works until ``expires_at`` (UTC,
    None = no expiry) and until it is revoked (``revoked_at``).  Each token is
    one session: ``name`` (device name), ``ip``, ``user_agent``, ``last_used_at``.
    ``device_id`` is the client's own device identifier when it sends one, and
    ``biometric_type`` / ``biometric_enabled_at`` record that the device unlocks
    this session with a local biometric check (contract 000, "Biometric
    Authentication"); no biometric data is ever stored.
    ``dialect`` says which client API issued it, so one app's token is not
    accepted by another's endpoints.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    dialect: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    device_id: Mapped[str | None] = mapped_column(String(191))
    biometric_type: Mapped[str | None] = mapped_column(String(20))
    biometric_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")
